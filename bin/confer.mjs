#!/usr/bin/env node
// `npx confer …` from the checkout: the operator CLI (app/cli.ts), run through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../app/cli.ts');
