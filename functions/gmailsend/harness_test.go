package main_test

import (
	"testing"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// buildAndStart builds the real bootstrap and starts the local stack
// beside it (closed when the test ends); short runs skip, since building
// takes seconds.
func buildAndStart(t *testing.T, opts devstack.Options) (bootstrap string, st *devstack.Stack) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	dir := t.TempDir()
	bootstrap, err := devstack.BuildBootstrap(fixture.ModuleRoot(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = dir
	st, err = devstack.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return bootstrap, st
}
