import type { ReactNode } from 'react';

/**
 * A wide table scrolls inside its own box, so the page never scrolls sideways on a phone;
 * the box is focusable and named, so keyboard users can scroll it too.
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-region" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** A row that says the list is empty, across every column. */
export function EmptyRow({ columns, text }: { columns: number; text: string }) {
  return (
    <tr>
      <td colSpan={columns} className="muted">
        {text}
      </td>
    </tr>
  );
}
