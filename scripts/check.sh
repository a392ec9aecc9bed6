#!/usr/bin/env bash
# npm run check: type-check and compile everything into dist/ (the system tests fork the compiled
# entries), type-check the browser side, lint, and check the folders' dependencies
# (.dependency-cruiser.cjs) — side by side, since none waits for another;
# fails when any of them does.
set -u
npx tsc -p . & compile=$!
npx tsc --noEmit -p web & web=$!
npx depcruise --config .dependency-cruiser.cjs src workers main.ts & folders=$!
npx eslint . ; lint=$?
wait "$compile"; compiled=$?
wait "$web"; webbed=$?
wait "$folders"; foldered=$?
[ "$compiled" -eq 0 ] && [ "$webbed" -eq 0 ] && [ "$lint" -eq 0 ] && [ "$foldered" -eq 0 ]
