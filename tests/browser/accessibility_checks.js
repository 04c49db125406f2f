// The page-side checks of tests/browser/test_accessibility.py, evaluated in each page
// after axe-core (through the DevTools protocol, outside the Content-Security-Policy).
window.accessibilityChecks = (() => {
  const words = (text, length) => (text || '').trim().replace(/\s+/g, ' ').slice(0, length);
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const named = (el) => `${el.tagName.toLowerCase()} "${
    words(el.getAttribute('aria-label') || el.textContent || el.name, 40)}"`;
  const visible = (el) => el.checkVisibility({visibilityProperty: true});
  const scrollsSideways = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);

  // axe's violations: rule, impact, and each node's selector, impact and first lines of summary.
  async function runAxe(tags) {
    const results = await axe.run(document, {
      runOnly: {type: 'tag', values: tags},
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => ({
        target: n.target.join(' '),
        impact: n.impact,
        summary: words((n.failureSummary || '').split('\n').slice(1, 3).join(' '), 300),
      })),
    }));
  }

  // Tables cut off at this width, and a page that scrolls sideways: [description].
  function cutTables() {
    const problems = [];
    const width = window.innerWidth;
    const past = (el) => el.getBoundingClientRect().right > width + 0.5;
    if (document.documentElement.scrollWidth > width) {
      // The innermost elements that stick out, outside any container that clips them.
      const out = [...document.body.querySelectorAll('*')].filter((el) => {
        if (!past(el)) return false;
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== 'visible') return false;
        }
        return ![...el.children].some(past);
      }).slice(0, 3).map((el) => `${describe(el)} (right edge at ${
        Math.round(el.getBoundingClientRect().right)} px)`);
      problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`
        + ` in ${width} px, past the edge: ${out.join(', ') || 'text or a positioned box'}`);
    }
    for (const table of document.querySelectorAll('table')) {
      const box = table.getBoundingClientRect();
      if (!visible(table) || box.width === 0) continue;
      if (box.left >= -0.5 && box.right <= width + 0.5) continue;  // it fits
      let scroller = table.parentElement;
      while (scroller && scroller !== document.body && !scrollsSideways(scroller)) {
        scroller = scroller.parentElement;
      }
      const label = words(table.caption ? table.caption.textContent
        : table.tHead ? table.tHead.textContent : '', 60);
      if (!scroller || scroller === document.body) {
        problems.push(`table "${label}" is ${Math.round(box.width)} px wide, cut at ${width} px,`
          + ' in no scroll container');
        continue;
      }
      const outer = scroller.getBoundingClientRect();
      if (outer.left < -0.5 || outer.right > width + 0.5) {
        problems.push(`table "${label}": its scroll container ${describe(scroller)} is cut off`);
      } else if (!scroller.classList.contains('table-scroll')) {
        problems.push(`table "${label}" scrolls in ${describe(scroller)}, not in a .table-scroll`
          + ' (no visible cue)');
      }
    }
    return problems;
  }

  // Buttons, selects and summaries under min x min px and not spaced as WCAG 2.5.8 allows:
  // a circle of diameter min on the centre of each meets no other target, nor the circle
  // of another undersized one.
  function smallTargets(min) {
    const targets = [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button],'
      + ' [tabindex]:not([tabindex="-1"])')]
      .filter(visible)
      .map((el) => ({el, box: el.getBoundingClientRect()}))
      .filter(({box}) => box.width > 0 && box.height > 0);
    const small = (box) => box.width < min - 0.01 || box.height < min - 0.01;
    const centre = (box) => [box.left + box.width / 2, box.top + box.height / 2];
    const toBox = ([x, y], box) => Math.hypot(
      Math.max(box.left - x, 0, x - box.right), Math.max(box.top - y, 0, y - box.bottom));
    const between = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);
    const checked = targets.filter(({el}) => el.matches('button, select, summary, [role=button],'
      + ' input[type=submit], input[type=button], input[type=reset]'));
    const problems = [];
    for (const target of checked) {
      if (!small(target.box)) continue;
      const c = centre(target.box);
      const clash = targets.find((other) => other !== target
        && !other.el.contains(target.el) && !target.el.contains(other.el)
        && (toBox(c, other.box) < min / 2
          || (small(other.box) && between(c, centre(other.box)) < min)));
      if (clash) {
        problems.push(`${named(target.el)} is ${target.box.width.toFixed(1)} x `
          + `${target.box.height.toFixed(1)} px, too close to ${named(clash.el)}`);
      }
    }
    return problems;
  }

  return {runAxe, cutTables, smallTargets};
})();
