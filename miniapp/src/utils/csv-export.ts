import { platform } from '@/platform';
import { client } from '@/services';

/**
 * Saves an API CSV in a browser (H5 only): a plain link cannot send the JWT, so the file is downloaded with the header
 * into an object URL and handed to the browser as a named download.
 */
export async function saveCsv(path: string, fileName: string): Promise<void> {
  const token = (await client.ensureSession()).token;
  const res = await platform.download({ url: `${API_ORIGIN}${path}`, headers: { authorization: `Bearer ${token}` } });
  if (res.status < 200 || res.status >= 300 || !res.path) throw new Error(`导出失败（${res.status || '网络错误'}），请稍后重试`);
  const a = document.createElement('a');
  a.href = res.path;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Let the browser start the download before the bytes are released.
  setTimeout(() => URL.revokeObjectURL(res.path), 60_000);
}
