import { api } from '../api';

const colors = ['#2563eb', '#7c3aed', '#db2777', '#ea580c', '#16a34a', '#0891b2', '#4f46e5', '#b45309'];

export function Avatar({ name, src, online, size = 40 }: { name: string; src?: string | null; online?: boolean; size?: number }) {
  const initials = name.trim().slice(0, 1).toUpperCase() || '?';
  const color = colors[[...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % colors.length];
  return (
    <span class="avatar" style={{ width: size + 'px', height: size + 'px', background: src ? undefined : color, fontSize: size * 0.42 + 'px' }} aria-hidden="true">
      {src ? <img src={api.fileUrl(src)} alt="" /> : initials}
      {online !== undefined && <span class={online ? 'dot online' : 'dot'} data-testid={online ? 'online-dot' : undefined} />}
    </span>
  );
}
