/**
 * The dashboard's token (cancel; reads too off loopback). `runboard dashboard --token T` prints the page's URL with the token in the
 * fragment (`http://127.0.0.1:8787/#token=T`): browsers never send the fragment to the server,
 * so the token stays out of access logs, proxies and `Referer` headers. The page moves it into
 * `sessionStorage` (this tab only, gone when the tab closes), removes it from the address bar,
 * and sends it only as `Authorization: Bearer`: with every request, since a dashboard on a
 * network address wants it for reads too.
 */
const STORAGE_KEY = 'runboard.token';

/** Reads `#token=…` from the URL (then strips it) or the token kept earlier in this tab. */
export function takeToken(): string | null {
  const fromHash = tokenFromFragment(location.hash);
  if (fromHash !== null) {
    storeToken(fromHash);
    const url = new URL(location.href);
    url.hash = '';
    history.replaceState(history.state, '', url.pathname + url.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Keeps `token` for this tab, or forgets it (`null`). */
export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(STORAGE_KEY, token);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled; the token then lives in memory only.
  }
}

/**
 * The token in a URL fragment such as `#token=abc` or `#a=1&token=abc`, or null.
 *
 * @example
 * tokenFromFragment('#token=s3cret'); // 's3cret'
 */
export function tokenFromFragment(fragment: string): string | null {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const token = params.get('token');
  return token ? token : null;
}
