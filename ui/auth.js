// The token, Jupyter-style: taken once from the address (#token=hst_…), kept in this
// tab's sessionStorage, and removed from the address bar and history at once.

const KEY = 'homeostat.token';

/** Move a `#token=…` from the URL into sessionStorage; true when there was one. */
export function adoptTokenFromUrl() {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(location.hash);
  if (!match) return false;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  const rest = location.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&/, '#');
  history.replaceState(null, '', `${location.pathname}${location.search}${rest === '#' || rest === '' ? '#/overview' : rest}`);
  return true;
}

export const getToken = () => sessionStorage.getItem(KEY);
export const setToken = (token) => sessionStorage.setItem(KEY, token);
export const clearToken = () => sessionStorage.removeItem(KEY);

/**
 * Show the sign-in form; `check(token)` resolves when the token works and throws an
 * error with a message when it does not. Resolves with the working token.
 */
export function askForToken(message, check) {
  const section = document.getElementById('login');
  const form = document.getElementById('login-form');
  const input = document.getElementById('login-token');
  const error = document.getElementById('login-error');
  section.hidden = false;
  error.hidden = !message;
  error.textContent = message ?? '';
  input.value = '';
  input.focus();
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!/^hst_\S+$/.test(token)) {
        error.textContent = 'That is not a homeostat token: they start with hst_.';
        error.hidden = false;
        return;
      }
      try {
        await check(token);
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
        return;
      }
      form.removeEventListener('submit', submit);
      section.hidden = true;
      resolve(token);
    };
    form.addEventListener('submit', submit);
  });
}
