#!/usr/bin/env bash
# npm run check: type-check and compile everything into dist/ (the system tests fork the compiled
# entries), type-check the browser side, and lint — side by side, since none waits for another;
# fails when any of them does.
set -u
npx tsc -p . & compile=$!
npx tsc --noEmit -p web & web=$!
npx eslint . ; lint=$?
wait "$compile"; compiled=$?
wait "$web"; webbed=$?
[ "$compiled" -eq 0 ] && [ "$webbed" -eq 0 ] && [ "$lint" -eq 0 ]
