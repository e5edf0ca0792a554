import { sql, type RawBuilder } from 'kysely';

/**
 * `column LIKE '%text%'` that matches `text` literally on both dialects: `%`, `_` and the escape character itself are
 * escaped with `!`, named in an explicit ESCAPE clause (SQLite has no default escape character; MySQL's is `\`).
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`%${text.replace(/[!%_]/g, (m) => `!${m}`)}%`} escape '!'`;
}
