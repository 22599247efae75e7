import { Checkbox, ColorInput, FileButton, Button, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { upload } from '../../api/client';
import type { EmailBlock, UploadedImage } from '../../api/templates';
import { showError } from '../../components/errors';
import { UNSUBSCRIBE_LINK } from './blocks-model';
import { RichText } from './RichText';

type Of<T extends EmailBlock['type']> = Extract<EmailBlock, { type: T }>;
type Change<B> = (patch: Partial<B>) => void;

const ALIGN = ['left', 'center', 'right'];
const SOCIAL = ['linkedin', 'facebook', 'instagram', 'x', 'twitter', 'youtube'] as const;

const num = (v: string | number) => (v === '' ? undefined : Number(v));
const str = (v: string) => (v === '' ? undefined : v);

function Colour({ label, value, onChange }: { label: string; value: string | undefined; onChange: (v: string | undefined) => void }) {
  return <ColorInput size="xs" label={label} format="hex" value={value ?? ''} onChange={(v) => onChange(str(v))} />;
}
function Align({ value, onChange, justify }: { value: string | undefined; onChange: (v: never) => void; justify?: boolean }) {
  return <Select size="xs" label="Alignment" data={justify ? [...ALIGN, 'justify'] : ALIGN} value={value ?? null} onChange={(v) => onChange((v ?? undefined) as never)} clearable />;
}
function Px({ label, value, onChange, max }: { label: string; value: number | undefined; onChange: (v: number | undefined) => void; max: number }) {
  return <NumberInput size="xs" label={label} min={0} max={max} value={value ?? ''} onChange={(v) => onChange(num(v))} />;
}
function Link({ label, value, onChange }: { label: string; value: string | undefined; onChange: (v: string | undefined) => void }) {
  return <TextInput size="xs" label={label} value={value ?? ''} onChange={(e) => onChange(str(e.currentTarget.value))} />;
}

/** Uploads a picture with POST /v1/templates/images (the service checks its type and size) and hands back its /public URL. */
function UploadButton({ onUploaded }: { onUploaded: (url: string) => void }) {
  const send = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return upload<UploadedImage>('/v1/templates/images', form);
    },
    // The email is read elsewhere: the image needs this service's absolute address.
    onSuccess: (img) => onUploaded(new URL(img.url, window.location.origin).toString()),
    onError: showError('Upload refused'),
  });
  return (
    <FileButton onChange={(f) => f && send.mutate(f)} accept="image/png,image/jpeg,image/gif,image/webp">
      {(props) => (
        <Button {...props} size="xs" variant="light" leftSection={<IconUpload size={14} />} loading={send.isPending}>
          Upload image
        </Button>
      )}
    </FileButton>
  );
}

/** The settings of one block, as the blocks model (src/templates/blocks.ts) names them. */
export function BlockSettings({ block, onChange }: { block: EmailBlock; onChange: (b: EmailBlock) => void }) {
  const set = <B extends EmailBlock>(patch: Partial<B>) => onChange({ ...block, ...patch } as EmailBlock);
  switch (block.type) {
    case 'header': {
      const s: Change<Of<'header'>> = set;
      return (
        <Stack gap="xs">
          <Group align="flex-end">
            <TextInput size="xs" label="Logo URL" style={{ flex: 1 }} value={block.logo_url} onChange={(e) => s({ logo_url: e.currentTarget.value })} />
            <UploadButton onUploaded={(url) => s({ logo_url: url })} />
          </Group>
          <SimpleGrid cols={3}>
            <TextInput size="xs" label="Alt text" value={block.alt ?? ''} onChange={(e) => s({ alt: str(e.currentTarget.value) })} />
            <Link label="Logo link" value={block.link} onChange={(link) => s({ link })} />
            <Px label="Logo width (px)" max={600} value={block.logo_width} onChange={(logo_width) => s({ logo_width })} />
            <Colour label="Background" value={block.background_color} onChange={(background_color) => s({ background_color })} />
            <Align value={block.align} onChange={(align) => s({ align })} />
          </SimpleGrid>
        </Stack>
      );
    }
    case 'text': {
      const s: Change<Of<'text'>> = set;
      return (
        <Stack gap="xs">
          <RichText label="Text" value={block.content} onChange={(content) => s({ content })} />
          <SimpleGrid cols={4}>
            <Px label="Font size (px)" max={72} value={block.font_size} onChange={(font_size) => s({ font_size })} />
            <NumberInput size="xs" label="Line height" min={0.5} max={4} step={0.1} decimalScale={2} value={block.line_height ?? ''} onChange={(v) => s({ line_height: num(v) })} />
            <Colour label="Colour" value={block.color} onChange={(color) => s({ color })} />
            <Align justify value={block.align} onChange={(align) => s({ align })} />
          </SimpleGrid>
        </Stack>
      );
    }
    case 'image': {
      const s: Change<Of<'image'>> = set;
      return (
        <Stack gap="xs">
          <Group align="flex-end">
            <TextInput size="xs" label="Image URL" style={{ flex: 1 }} value={block.src} onChange={(e) => s({ src: e.currentTarget.value })} />
            <UploadButton onUploaded={(src) => s({ src })} />
          </Group>
          <SimpleGrid cols={4}>
            <TextInput size="xs" label="Alt text" value={block.alt ?? ''} onChange={(e) => s({ alt: str(e.currentTarget.value) })} />
            <Link label="Link" value={block.link} onChange={(link) => s({ link })} />
            <Px label="Width (px)" max={600} value={block.width} onChange={(width) => s({ width })} />
            <Align value={block.align} onChange={(align) => s({ align })} />
          </SimpleGrid>
        </Stack>
      );
    }
    case 'button': {
      const s: Change<Of<'button'>> = set;
      return (
        <SimpleGrid cols={4}>
          <TextInput size="xs" label="Label" value={block.label} onChange={(e) => s({ label: e.currentTarget.value })} />
          <Link label="Link" value={block.link} onChange={(link) => s({ link: link ?? '' })} />
          <Select size="xs" label="Size" data={['small', 'medium', 'large']} value={block.size ?? 'medium'} onChange={(v) => s({ size: (v ?? undefined) as Of<'button'>['size'] })} />
          <Align value={block.align} onChange={(align) => s({ align })} />
          <Colour label="Button colour" value={block.background_color} onChange={(background_color) => s({ background_color })} />
          <Colour label="Label colour" value={block.color} onChange={(color) => s({ color })} />
          <Px label="Corners (px)" max={100} value={block.border_radius} onChange={(border_radius) => s({ border_radius })} />
          <Px label="Width (px)" max={600} value={block.width} onChange={(width) => s({ width })} />
        </SimpleGrid>
      );
    }
    case 'divider': {
      const s: Change<Of<'divider'>> = set;
      return (
        <SimpleGrid cols={3}>
          <NumberInput size="xs" label="Width (%)" min={1} max={100} value={block.width ?? ''} onChange={(v) => s({ width: num(v) })} />
          <Px label="Thickness (px)" max={20} value={block.thickness} onChange={(thickness) => s({ thickness })} />
          <Colour label="Colour" value={block.color} onChange={(color) => s({ color })} />
        </SimpleGrid>
      );
    }
    case 'social': {
      const s: Change<Of<'social'>> = set;
      return (
        <SimpleGrid cols={3}>
          {SOCIAL.map((n) => (
            <Link key={n} label={`${n} URL`} value={block.links[n]} onChange={(url) => s({ links: { ...block.links, [n]: url } })} />
          ))}
          <Px label="Icon size (px)" max={64} value={block.icon_size} onChange={(icon_size) => s({ icon_size })} />
          <Align value={block.align} onChange={(align) => s({ align })} />
        </SimpleGrid>
      );
    }
    case 'spacer':
      return <Px label="Height (px)" max={400} value={block.height} onChange={(height) => set<Of<'spacer'>>({ height })} />;
    case 'footer': {
      const s: Change<Of<'footer'>> = set;
      const hasUnsubscribe = block.content.includes('{{ unsubscribe_url }}');
      return (
        <Stack gap="xs">
          <RichText label="Footer text" value={block.content} onChange={(content) => s({ content })} />
          <Checkbox
            size="xs"
            label="Unsubscribe link"
            checked={hasUnsubscribe}
            onChange={(e) => s({ content: e.currentTarget.checked ? `${block.content} ${UNSUBSCRIBE_LINK}` : block.content.replace(/\s*<a href="\{\{ unsubscribe_url \}\}">[^<]*<\/a>/g, '') || ' ' })}
          />
          <SimpleGrid cols={4}>
            <Colour label="Colour" value={block.color} onChange={(color) => s({ color })} />
            <Colour label="Background" value={block.background_color} onChange={(background_color) => s({ background_color })} />
            <Px label="Font size (px)" max={72} value={block.font_size} onChange={(font_size) => s({ font_size })} />
            <Align value={block.align} onChange={(align) => s({ align })} />
          </SimpleGrid>
        </Stack>
      );
    }
  }
}
