"""What "fits the screen" means, measured in the page itself."""

from __future__ import annotations

import re

from tests.browser.support import ARTIFACTS

DESKTOP_WIDTHS = (1280, 1440, 1920)
PHONE = (390, 844)
DENSE_WIDTH = 1440
MAX_MEDIAN_ROW_PX = 48
ONE_LINE_HEADER_PX = 64
SCREENSHOT_WIDTHS = (1440, 390)

# Returns what a person would notice: a header that wraps, sideways page scroll, controls they
# cannot reach, tables that scroll sideways at desktop widths, and the height of table rows.
MEASURE = """() => {
  const doc = document.documentElement;
  const width = window.innerWidth;
  const phone = width < 600;
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    // checkVisibility: the contents of a closed <details> still have boxes in Chromium.
    return box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true});
  };
  const label = (el) => (el.getAttribute('aria-label') || el.textContent || el.name || el.tagName)
    .replace(/\\s+/g, ' ').trim().slice(0, 40);
  const scrollers = [...document.querySelectorAll('main *')].filter((el) => {
    const overflow = getComputedStyle(el).overflowX;
    return (overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1;
  });
  // a.link-button: a control drawn as a link (the review queue's Reviewed and Flag…).
  const controls = [...document.querySelectorAll(
    'a.button, a.link-button, button, input:not([type=hidden]), select, textarea, summary'
  )].filter(visible).filter((el) => !el.closest('dialog:not([open])'));
  const unreachable = [];
  for (const el of controls) {
    const scroller = scrollers.find((box) => box.contains(el));
    if (scroller && phone) continue;  // a phone scrolls a wide table inside its own box
    const box = el.getBoundingClientRect();
    let right = width, left = 0;
    // A name cut short by its cell's ellipsis is reachable where the cell shows it.
    const cell = el.closest('td, li');
    if (cell && getComputedStyle(cell).overflowX === 'hidden') {
      const frame = cell.getBoundingClientRect();
      if (frame.left >= -1 && frame.right <= width + 1 && !scroller) continue;
    }
    if (scroller) {
      const frame = scroller.getBoundingClientRect();
      right = Math.min(right, frame.right);
      left = Math.max(left, frame.left);
    }
    if (box.right > right + 1 || box.left < left - 1) unreachable.push(label(el));
  }
  const heights = [...document.querySelectorAll('table tbody tr')].filter(visible)
    .map((row) => row.getBoundingClientRect().height).sort((a, b) => a - b);
  const firstCells = [...document.querySelectorAll('table tbody tr')].filter(visible).map((row) => {
    const cell = row.querySelector('td:not(.select-col), th');
    return cell ? cell.getBoundingClientRect() : null;
  }).filter(Boolean);
  const header = document.querySelector('.topbar');
  return {
    headerHeight: header ? header.getBoundingClientRect().height : 0,
    pageWidth: doc.scrollWidth,
    viewport: doc.clientWidth,
    unreachable: [...new Set(unreachable)].slice(0, 8),
    sidewaysTables: scrollers.map((el) => el.id || el.className).slice(0, 4),
    medianRow: heights.length ? heights[Math.floor(heights.length / 2)] : null,
    firstColumnHidden: firstCells.filter((box) => box.left < -1 || box.left > width).length,
  };
}"""


# On a phone every table row is a card: its status and everything it offers are in sight and can
# be tapped. The status is the row's badge (the review queue's: its mark, or "Not reviewed"); what
# it offers is every link, button and box of the row, found by what it is rather than by the class
# of the cell around it (the review queue's Reviewed and Flag… are links in its Review column, its
# Revoke… a button-styled link in another). "In sight" is more than inside the window's edges: a
# cell that hides its overflow cuts off what it holds, and a control drawn under another element
# cannot be tapped, so each must also lie within every ancestor that clips and be the topmost
# element at its own middle. Returns, per row that fails, its id and what is out of sight and why.
ROW_FIT = """() => {
  const width = window.innerWidth;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 &&
      el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  };
  const clipped = (el) => {
    const box = el.getBoundingClientRect();
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible' ||
        style.clipPath !== 'none' || style.clip !== 'auto';
      if (!clips) continue;
      const frame = up.getBoundingClientRect();
      if (box.left < frame.left - 1 || box.right > frame.right + 1 ||
          box.top < frame.top - 1 || box.bottom > frame.bottom + 1) return true;
    }
    return false;
  };
  const covered = (el) => {
    // The middle of its first line: a link wrapped over two lines has none in its box's middle.
    let line = el.getClientRects()[0];
    window.scrollTo(window.scrollX, window.scrollY + line.top + line.height / 2 - innerHeight / 2);
    line = el.getClientRects()[0];
    const hit = document.elementFromPoint(line.left + line.width / 2, line.top + line.height / 2);
    return !(hit && (hit === el || el.contains(hit)));
  };
  const unseen = (el) => {
    if (!shown(el)) return 'hidden';
    const box = el.getBoundingClientRect();
    if (box.left < -1 || box.right > width + 1) return 'outside the window';
    if (clipped(el)) return 'cut off';
    if (covered(el)) return 'covered';
    return '';
  };
  const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.tagName)
    .replace(/\\s+/g, ' ').trim().slice(0, 40);
  const out = [];
  const rows = [...document.querySelectorAll('table.data[data-table] tbody tr[data-row]')]
    .filter(shown);
  for (const row of rows) {
    const status = row.querySelector('td.review-mark > .badge, td.review-mark > .muted, td .badge');
    const offers = [...row.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary'
    )];
    const wrong = [];
    if (status) {
      const why = unseen(status);
      if (why) wrong.push(`status ${why}`);
    }
    for (const control of offers) {
      const why = unseen(control);
      if (why) wrong.push(`${name(control)} ${why}`);
    }
    if (wrong.length) out.push(`${row.dataset.row}: ${wrong.join(', ')}`);
  }
  window.scrollTo(0, 0);
  return {rows: rows.length, outside: out.slice(0, 6), failing: out.length};
}"""


def row_problems(fit: dict) -> list[str]:
    """A phone's table rows whose status or one of whose controls is out of sight, in words."""
    if not fit["failing"]:
        return []
    rows = f"{fit['failing']} of {fit['rows']} rows"
    return [f"{rows} with their status or a control out of sight: {fit['outside']}"]


def problems(measure: dict, width: int, *, dense: bool = True) -> list[str]:
    """Everything wrong with one page at one width, in words."""
    found = []
    if measure["pageWidth"] > measure["viewport"]:
        found.append(f"page scrolls sideways ({measure['pageWidth']} px in {measure['viewport']})")
    if measure["unreachable"]:
        found.append(f"controls outside the window: {measure['unreachable']}")
    if width >= DESKTOP_WIDTHS[0] and measure["sidewaysTables"]:
        found.append(f"scrolls sideways inside: {measure['sidewaysTables']}")
    if width >= DESKTOP_WIDTHS[0] and measure["headerHeight"] > ONE_LINE_HEADER_PX:
        found.append(f"header wraps ({measure['headerHeight']:.0f} px tall)")
    if measure["firstColumnHidden"]:
        found.append(f"{measure['firstColumnHidden']} rows with their first column out of view")
    median = measure["medianRow"]
    if dense and width == DENSE_WIDTH and median is not None and median > MAX_MEDIAN_ROW_PX:
        found.append(f"median table row {median:.0f} px tall")
    return found


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:90]
    # caret="initial": hiding the caret injects a style the strict CSP refuses (and logs).
    page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True, caret="initial")
