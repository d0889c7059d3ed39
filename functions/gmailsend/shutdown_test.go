package main_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// TestShutdownRegistration ensures the bootstrap registers with the
// Extensions API (what makes Lambda send SIGTERM) only with
// SMTP_QUIT_ON_SHUTDOWN, and then before its first /next as Lambda
// requires; without it nothing is registered, and SIGTERM still ends the
// process cleanly either way.
func TestShutdownRegistration(t *testing.T) {
	bootstrap, st := buildAndStart(t, devstack.Options{})
	for _, tc := range []struct {
		env  []string
		want []string
	}{
		{nil, nil},
		{[]string{"SMTP_QUIT_ON_SHUTDOWN=true"}, []string{"GoLangEnableSIGTERM"}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		logs := new(fixture.SyncBuffer)
		fn, err := runtimeapi.StartFunction(ctx, bootstrap, append(st.Env(), tc.env...), logs, logs)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		// StartFunction returns at the first /next: what is registered
		// by now is all Lambda would accept.
		if got := fn.API.Extensions(); !slices.Equal(got, tc.want) {
			t.Errorf("%v: extensions registered before the first /next: %q, want %q", tc.env, got, tc.want)
		}
		if state := fn.Stop(); !state.Success() {
			t.Errorf("%v: bootstrap did not exit cleanly on SIGTERM: %v\n%s", tc.env, state, logs.String())
		}
		cancel()
	}
}
