/** RFC 4180 CSV: fields with a comma, quote or line break are quoted; a leading =+-@ is defused. */
export function csvLine(cells: (string | number | bigint | null | undefined)[]): string {
  return (
    cells
      .map((cell) => {
        let s = cell === null || cell === undefined ? '' : String(cell);
        // Spreadsheets run cells that start with these as formulas.
        if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

/** µc → credits with six decimals, exactly. */
export function microToCredits(micro: bigint): string {
  const neg = micro < 0n;
  const abs = neg ? -micro : micro;
  return `${neg ? '-' : ''}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}
