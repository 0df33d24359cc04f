// A file (the digest's chart) through Slack's external upload flow, called step by step rather than through
// @slack/web-api's filesUploadV2: that sends the alt text as `alt_text`, where files.getUploadURLExternal reads
// `alt_txt`, and passing it is linked to files silently never being shared. Slack shares a completed upload
// asynchronously, so where the file went is read back with files.info before the message counts as sent.
import type { WebClient } from '@slack/web-api';

export interface FileToShare {
  bytes: Buffer;
  filename: string;
  title: string;
  altText: string | null;
  channel: string;
  threadTs: string | null;
}

const UPLOAD_TIMEOUT_MS = 30_000;

/**
 * files.getUploadURLExternal (with `alt_txt`), the bytes POSTed to the URL it answers, then
 * files.completeUploadExternal sharing the file to the channel. Returns the file's id. A failed POST throws an
 * error shaped like WebClient's, so the outbox treats it as it treats a failed call.
 */
export async function uploadFile(client: WebClient, f: FileToShare): Promise<string> {
  const got = (await client.apiCall('files.getUploadURLExternal', {
    filename: f.filename,
    length: f.bytes.length,
    ...(f.altText ? { alt_txt: f.altText } : {}),
  })) as { upload_url?: string; file_id?: string };
  if (!got.upload_url || !got.file_id) throw new Error('files.getUploadURLExternal answered no upload_url or file_id');
  let res: Response;
  try {
    res = await fetch(got.upload_url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: f.bytes,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
    await res.arrayBuffer();
  } catch (err) {
    throw Object.assign(new Error(`the file upload failed: ${(err as Error).message}`), {
      code: 'slack_webapi_request_error',
    });
  }
  if (!res.ok)
    throw Object.assign(new Error(`the file upload was answered HTTP ${res.status}`), {
      code: 'slack_webapi_http_error',
      statusCode: res.status,
    });
  await client.apiCall('files.completeUploadExternal', {
    files: JSON.stringify([{ id: got.file_id, title: f.title }]),
    channel_id: f.channel,
    ...(f.threadTs ? { thread_ts: f.threadTs } : {}),
  });
  return got.file_id;
}

/** Whether files.info shows the file shared in the channel, and the ts of the message that shares it. */
export async function sharedIn(
  client: WebClient,
  fileId: string,
  channel: string,
): Promise<{ shared: false } | { shared: true; ts: string | null }> {
  const res = (await client.apiCall('files.info', { file: fileId })) as {
    file?: {
      channels?: string[];
      groups?: string[];
      ims?: string[];
      shares?: Record<string, Record<string, { ts?: string }[]>>;
    };
  };
  const file = res.file ?? {};
  const share = Object.values(file.shares ?? {}).find((byChannel) => byChannel[channel] !== undefined)?.[channel];
  const listed = [file.channels, file.groups, file.ims].some((ids) => ids?.includes(channel) === true);
  if (!share && !listed) return { shared: false };
  return { shared: true, ts: share?.[0]?.ts ?? null };
}
