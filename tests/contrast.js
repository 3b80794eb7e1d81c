// An axe-style WCAG AA contrast check, run in the page by tests/test_web.py: each visible text
// against the first opaque background behind it; 4.5:1, or 3:1 for large text; disabled controls exempt.
() => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const ratio = (fg, bg) => { const a = lum(fg), b = lum(bg); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.querySelector('.gradio-container') || document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || seen.has(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
    if (el.closest('[disabled], [aria-disabled=true], svg')) continue;
    const fg = parse(style.color); if (!fg || fg.a < 0.1) continue;
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const r = ratio(fg, background(el));
    if (r < needed) failures.push([text.slice(0, 40), Math.round(r * 100) / 100, style.color]);
  }
  const input = document.querySelector('input[placeholder], textarea[placeholder]');
  if (input) { const c = parse(getComputedStyle(input, '::placeholder').color); const r = ratio(c, background(input)); if (r < 4.5) failures.push(['placeholder', r]); }
  return failures;
}
