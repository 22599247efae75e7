import { ActionIcon, Button, Card, ColorInput, Group, Menu, NumberInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { DndContext, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, arrayMove, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { IconChevronDown, IconChevronUp, IconGripVertical, IconPlus, IconTrash } from '@tabler/icons-react';
import type { BlockType, EmailBlock, EmailStyle } from '../../api/templates';
import { BLOCK_LABELS, CODE_IMAGES, item, newBlock, type Item } from './blocks-model';
import { BlockSettings } from './BlockSettings';

function SortableBlock({ it, index, count, onChange, onRemove, onMove }: { it: Item; index: number; count: number; onChange: (b: EmailBlock) => void; onRemove: () => void; onMove: (to: number) => void }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: it.key });
  const label = `${BLOCK_LABELS[it.block.type]} block ${index + 1}`;
  return (
    <Card ref={setNodeRef} withBorder padding="sm" style={{ transform: CSS.Transform.toString(transform), transition, opacity: isDragging ? 0.6 : 1 }} role="group" aria-label={label} data-block-type={it.block.type}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap={4} wrap="nowrap">
          <ActionIcon variant="subtle" color="gray" ref={setActivatorNodeRef} {...attributes} {...listeners} aria-label={`Drag ${label}`} style={{ cursor: 'grab' }}>
            <IconGripVertical size={16} />
          </ActionIcon>
          <Text size="sm" fw={600}>
            {BLOCK_LABELS[it.block.type]}
          </Text>
        </Group>
        <Group gap={4} wrap="nowrap">
          <ActionIcon variant="subtle" color="gray" aria-label={`Move ${label} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>
            <IconChevronUp size={16} />
          </ActionIcon>
          <ActionIcon variant="subtle" color="gray" aria-label={`Move ${label} down`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
            <IconChevronDown size={16} />
          </ActionIcon>
          <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label}`} onClick={onRemove}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      </Group>
      <BlockSettings block={it.block} onChange={onChange} />
    </Card>
  );
}

/** Simple mode: the blocks, dragged into order (or moved with the arrows or the keyboard), each with its settings. */
export function BlocksEditor({ items, onChange }: { items: Item[]; onChange: (items: Item[]) => void }) {
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const move = (from: number, to: number) => onChange(arrayMove(items, from, to));
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    move(
      items.findIndex((i) => i.key === active.id),
      items.findIndex((i) => i.key === over.id),
    );
  };
  const add = (block: EmailBlock) => onChange([...items, item(block)]);
  return (
    <Stack gap="sm">
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={items.map((i) => i.key)} strategy={verticalListSortingStrategy}>
          {items.map((it, i) => (
            <SortableBlock
              key={it.key}
              it={it}
              index={i}
              count={items.length}
              onMove={(to) => move(i, to)}
              onRemove={() => onChange(items.filter((x) => x.key !== it.key))}
              onChange={(block) => onChange(items.map((x) => (x.key === it.key ? { ...x, block } : x)))}
            />
          ))}
        </SortableContext>
      </DndContext>
      <Menu position="bottom-start">
        <Menu.Target>
          <Button variant="light" leftSection={<IconPlus size={16} />} w="fit-content">
            Add block
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {(Object.keys(BLOCK_LABELS) as BlockType[]).map((t) => (
            <Menu.Item key={t} onClick={() => add(newBlock(t))}>
              {BLOCK_LABELS[t]}
            </Menu.Item>
          ))}
          <Menu.Divider />
          {CODE_IMAGES.map((c) => (
            <Menu.Item key={c.label} onClick={() => add({ ...c.block })}>
              {c.label}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
    </Stack>
  );
}

/** The page-level look of a blocks email. */
export function StylePanel({ style, onChange }: { style: EmailStyle; onChange: (s: EmailStyle) => void }) {
  const set = (patch: Partial<EmailStyle>) => onChange(Object.fromEntries(Object.entries({ ...style, ...patch }).filter(([, v]) => v !== undefined)) as EmailStyle);
  const colour = (v: string) => (v === '' ? undefined : v);
  const border = style.border;
  return (
    <Card withBorder padding="sm" role="group" aria-label="Email style">
      <Title order={4} size="h6" mb="xs">
        Style
      </Title>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <ColorInput size="xs" label="Background" format="hex" value={style.background_color ?? ''} onChange={(v) => set({ background_color: colour(v) })} />
        <ColorInput size="xs" label="Content background" format="hex" value={style.content_background_color ?? ''} onChange={(v) => set({ content_background_color: colour(v) })} />
        <TextInput size="xs" label="Font" placeholder="Helvetica, Arial, sans-serif" value={style.font_family ?? ''} onChange={(e) => set({ font_family: e.currentTarget.value || undefined })} />
        <NumberInput size="xs" label="Width (px)" min={320} max={1000} placeholder="600" value={style.width ?? ''} onChange={(v) => set({ width: v === '' ? undefined : Number(v) })} />
        <NumberInput size="xs" label="Border width (px)" min={0} max={20} value={border?.width ?? ''} onChange={(v) => set({ border: v === '' ? undefined : { color: '#dddddd', ...border, width: Number(v) } })} />
        <ColorInput size="xs" label="Border colour" format="hex" disabled={!border} value={border?.color ?? ''} onChange={(v) => border && set({ border: { ...border, color: v || '#dddddd' } })} />
        <NumberInput size="xs" label="Border corners (px)" min={0} max={50} disabled={!border} value={border?.radius ?? ''} onChange={(v) => border && set({ border: { ...border, radius: v === '' ? undefined : Number(v) } })} />
      </SimpleGrid>
    </Card>
  );
}
