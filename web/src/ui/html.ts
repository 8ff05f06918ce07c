import htm from 'htm';
import { h, type VNode } from 'preact';

/**
 * Tagged templates instead of JSX: no compile step beyond TypeScript. Props inside templates are
 * not type-checked, so every component declares a props interface and reads it explicitly.
 */
export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
