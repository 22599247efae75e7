import '@mantine/tiptap/styles.css';
import { Select } from '@mantine/core';
import { RichTextEditor } from '@mantine/tiptap';
import TextAlign from '@tiptap/extension-text-align';
import { Color, FontSize, TextStyle } from '@tiptap/extension-text-style';
import { useEditor, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect } from 'react';
import { VariablePicker } from './VariablePicker';

const SIZES = ['12px', '14px', '16px', '18px', '22px', '28px', '36px'];
const COLORS = ['#000000', '#444444', '#777777', '#1a73e8', '#2e7d32', '#c62828', '#ef6c00', '#6a1b9a'];

/**
 * The text block's editor. Its HTML stays inside what the blocks model accepts (p, strong, em,
 * u, a href, br, span style): headings, lists, code and strike are off, and links get no
 * target/rel attributes.
 */
export function RichText({ value, onChange, label }: { value: string; onChange: (html: string) => void; label: string }) {
  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: false,
        bulletList: false,
        orderedList: false,
        listItem: false,
        listKeymap: false,
        blockquote: false,
        code: false,
        codeBlock: false,
        horizontalRule: false,
        strike: false,
        link: { openOnClick: false, autolink: false, HTMLAttributes: { target: null, rel: null, class: null } },
      }),
      TextStyle,
      Color,
      FontSize,
      TextAlign.configure({ types: ['paragraph'] }),
    ],
    content: value,
    editorProps: { attributes: { 'aria-label': label, role: 'textbox', 'aria-multiline': 'true' } },
    onUpdate: ({ editor: e }) => onChange(e.getHTML()),
  });
  // Another block's text loaded into the same editor (the list re-ordered): follow the value.
  useEffect(() => {
    // A destroyed editor (StrictMode remount, a block removed) has no schema left to serialise with.
    if (editor && !editor.isDestroyed && value !== editor.getHTML()) editor.commands.setContent(value, { emitUpdate: false });
  }, [editor, value]);
  return (
    <RichTextEditor editor={editor}>
      <RichTextEditor.Toolbar>
        <RichTextEditor.ControlsGroup>
          <RichTextEditor.Bold />
          <RichTextEditor.Italic />
          <RichTextEditor.Underline />
          <RichTextEditor.ClearFormatting />
        </RichTextEditor.ControlsGroup>
        <RichTextEditor.ControlsGroup>
          <RichTextEditor.Link />
          <RichTextEditor.Unlink />
        </RichTextEditor.ControlsGroup>
        <RichTextEditor.ControlsGroup>
          <RichTextEditor.AlignLeft />
          <RichTextEditor.AlignCenter />
          <RichTextEditor.AlignRight />
          <RichTextEditor.AlignJustify />
        </RichTextEditor.ControlsGroup>
        <RichTextEditor.ColorPicker colors={COLORS} />
        <FontSizeSelect editor={editor} />
        <VariablePicker onPick={(name) => editor?.chain().focus().insertContent(`{{ ${name} }}`).run()} />
      </RichTextEditor.Toolbar>
      <RichTextEditor.Content />
    </RichTextEditor>
  );
}

function FontSizeSelect({ editor }: { editor: Editor | null }) {
  return (
    <Select
      size="xs"
      w={90}
      aria-label="Text size"
      placeholder="Size"
      data={SIZES}
      clearable
      onChange={(size) => {
        if (!editor) return;
        if (size) editor.chain().focus().setFontSize(size).run();
        else editor.chain().focus().unsetFontSize().run();
      }}
    />
  );
}
