// User names and passwords inside URLs (`mqtt://user:password@broker`) are secrets as soon as the
// URL is quoted back to the user: an error line, a log line, a support ticket. Shared by the
// configuration errors and the messages that name a configured URL.

/**
 * The URL with everything between `scheme://` and the last "@" replaced by `***`, whether or not
 * the rest is a valid URL (a malformed URL is exactly what an error message quotes). Users type
 * passwords raw ("/", "#", "@", quotes): masking up to the last "@" never shows part of one.
 */
export function maskUrlCredentials(url: string): string {
  const at = url.lastIndexOf("@");
  if (at < 0) return url;
  const scheme = url.indexOf("://");
  const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
  return `${url.slice(0, start)}***${url.slice(at)}`;
}

/** `text` with every occurrence of `url` (as is, or JSON-quoted as convict quotes it) masked. */
export function maskUrlIn(text: string, url: string): string {
  const masked = maskUrlCredentials(url);
  if (masked === url) return text;
  const quoted = JSON.stringify(url).slice(1, -1);
  return text.split(url).join(masked).split(quoted).join(JSON.stringify(masked).slice(1, -1));
}
