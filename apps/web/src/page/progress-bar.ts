import { h } from './dom.js';
import { formatPercent } from './format.js';
import { isActiveStatus, statusClass } from './status.js';

/**
 * A progress bar (`role="progressbar"`). Its fill takes the status colour; a running run with
 * no known total shows an indeterminate stripe instead of a made-up number.
 */
export function createProgressBar(className = 'bar'): HTMLDivElement {
  const fill = h('div', { class: 'fill' });
  return h(
    'div',
    { class: className, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 },
    fill,
  );
}

export function updateProgressBar(bar: HTMLElement, percent: number | null, status: string): void {
  const fill = bar.firstElementChild as HTMLElement;
  const indeterminate = percent === null && isActiveStatus(status);
  const width = percent === null ? (indeterminate ? 100 : 0) : Math.min(100, Math.max(0, percent));
  const widthText = `${width.toFixed(2)}%`;
  if (fill.style.width !== widthText) fill.style.width = widthText;
  const className = `fill ${statusClass(status)}${indeterminate ? ' indeterminate' : ''}${
    isActiveStatus(status) ? ' active' : ''
  }`;
  if (fill.className !== className) fill.className = className;
  if (percent === null) bar.removeAttribute('aria-valuenow');
  else bar.setAttribute('aria-valuenow', percent.toFixed(1));
  bar.setAttribute('aria-valuetext', percent === null ? 'unknown' : formatPercent(percent));
}
