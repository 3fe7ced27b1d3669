import { api } from '../api';

const colors = ['#2563eb', '#7c3aed', '#db2777', '#ea580c', '#16a34a', '#0891b2', '#4f46e5', '#b45309'];

/** Avatars and group icons are at most this long on the server (AccountRules.MaxAvatarLength); a data: URL is a small picture. */
const maxDataUrl = 1024;

/**
 * The avatar or group icon to load, or undefined to show the initials. A profile's picture can be any string
 * someone typed, so a URL elsewhere would let its owner see who looks at them, when, and from where (a tracking
 * pixel): only this server's own files (`/api/v1/files/...`, same origin) and small data: images of a raster type
 * are shown. The server's contract is unchanged; this is what the web client agrees to load.
 */
export function safeAvatarSrc(src: string | null | undefined): string | undefined {
  if (!src) return undefined;
  const value = src.trim();
  if (/^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/=]+$/i.test(value)) return value.length <= maxDataUrl ? value : undefined;
  let url: URL;
  try {
    url = new URL(value, location.origin);
  } catch {
    return undefined;
  }
  if (url.origin !== location.origin || !url.pathname.startsWith('/api/v1/files/') || url.username || url.password) return undefined;
  return url.pathname + url.search;
}

export function Avatar({ name, src, online, size = 40 }: { name: string; src?: string | null; online?: boolean; size?: number }) {
  const initials = name.trim().slice(0, 1).toUpperCase() || '?';
  const color = colors[[...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % colors.length];
  const safe = safeAvatarSrc(src);
  return (
    <span class="avatar" style={{ width: size + 'px', height: size + 'px', background: safe ? undefined : color, fontSize: size * 0.42 + 'px' }} aria-hidden="true" data-testid="avatar">
      {safe ? <img src={api.fileUrl(safe)} alt="" referrerpolicy="no-referrer" /> : initials}
      {online !== undefined && <span class={online ? 'dot online' : 'dot'} data-testid={online ? 'online-dot' : undefined} />}
    </span>
  );
}
