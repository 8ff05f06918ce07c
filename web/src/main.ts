import { render } from 'preact';
import './styles.css';
import { exposeDebugHooks } from './session/debug-hooks';
import { App } from './ui/app';
import { html } from './ui/html';

exposeDebugHooks(null);
const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
