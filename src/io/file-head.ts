import { open } from 'node:fs/promises';

/** The first `n` bytes of `file` (fewer if it is shorter): what format sniffing reads. */
export async function readHead(file: string, n: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(n);
    const { bytesRead } = await handle.read(head, 0, n, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
