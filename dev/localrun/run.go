package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
)

// run is `make run`: one invocation with the event file, then, in this
// order, the function's log, its response and what was delivered.
func run(ctx context.Context, o options, eventFile string, timeout time.Duration, out io.Writer) error {
	payload, err := os.ReadFile(eventFile)
	if err != nil {
		return err
	}
	if devstack.IsBounceSchedule(payload) {
		// The bounce reader's event: its demo builds and starts both
		// functions itself, so nothing is started here first.
		return runBounceDemo(ctx, o.dir, eventFile, payload, timeout, out)
	}
	logs := new(syncBuffer)
	l, err := start(ctx, o, logs)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := invokeOnce(ctx, l, eventFile, payload, timeout, logs, out); err != nil || l.stack.Mailpit == nil {
		return err
	}
	// The links above point at this Mailpit: it stays until Ctrl-C.
	fmt.Fprintf(out, "\nMailpit keeps serving the links above; Ctrl-C stops it.\n")
	<-ctx.Done()
	return nil
}

// invokeOnce invokes the function, stops it so every log line it wrote
// has arrived (and its kept SMTP sessions are closed), and reports. The
// log comes first, in its own section, so it never interleaves with the
// response.
func invokeOnce(ctx context.Context, l *local, name string, payload []byte, timeout time.Duration, logs *syncBuffer, out io.Writer) error {
	if devstack.IsBounceSchedule(payload) {
		return runBounceDemo(ctx, filepath.Dir(l.stack.MailDir), name, payload, timeout, out)
	}
	before := len(l.stack.SMTP.Messages())
	seen := l.mailpitSeen(ctx)
	eventsBefore := 0
	if l.events != nil {
		eventsBefore = len(l.events.Published())
	}
	res, err := l.fn.Invoke(ctx, payload, timeout)
	if err != nil {
		return err
	}
	l.fn.Stop()

	fmt.Fprintf(out, "== function log\n%s", indentLines(logs.String()))
	fmt.Fprintf(out, "\n== response to %s (%v)\n", name, res.Duration.Round(time.Millisecond))
	var response string
	if res.Err != nil {
		// The message already starts with the code ("smtp_auth_failed: …").
		response = fmt.Sprintf("function error %s: %s", res.Err.Type, strings.TrimPrefix(res.Err.Message, res.Err.Type+": "))
	} else {
		response = pretty(res.Payload)
	}
	fmt.Fprintln(out, response)
	if l.stack.Mailpit != nil {
		fmt.Fprint(out, l.mailpitReport(ctx, seen, "\n== %d message(s) delivered to Mailpit\n"))
	} else {
		delivered := l.stack.SMTP.Messages()[before:]
		fmt.Fprintf(out, "\n== %d message(s) delivered to the development SMTP server\n", len(delivered))
		for i, m := range delivered {
			s, err := devstack.Summarize(m)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "[%d]\n%s", i+1, s)
		}
	}
	fmt.Fprint(out, devstack.MetricsSummary(logs.String()))
	fmt.Fprint(out, l.eventsReport(ctx, eventsBefore))
	if l.realSMTP == "" && devstack.IsLoginFailure(response+logs.String()) {
		fmt.Fprintf(out, "\n== a login was refused locally\n%s", devstack.LoginHint())
	}
	if res.Err != nil {
		return fmt.Errorf("the function returned an error")
	}
	return nil
}

func indentLines(s string) string {
	if strings.TrimSpace(s) == "" {
		return "  (nothing)\n"
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}
