// Command localrun runs the real bootstrap binary under a local Lambda
// Runtime API, against local stand-ins for Gmail, Secrets Manager and
// Google's token endpoint (package devstack): `make run` and `make serve`.
//
//	localrun run -event events/sqs-batch.json      one invocation, then its log, response and what was delivered
//	localrun serve -addr 127.0.0.1:3000            the REST API's routes, like sam local start-api
//
// With -smtp smtp.gmail.com:587 the function talks to that server instead
// of the development one, so a real app password sends a real email.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gmailsend/gmailsend/internal/dev/devstack"
	"github.com/gmailsend/gmailsend/internal/dev/runtimeapi"
)

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "run" && os.Args[1] != "serve") {
		fmt.Fprintln(os.Stderr, "usage: localrun run -event FILE | localrun serve [-addr HOST:PORT]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	event := fs.String("event", "events/apigateway-rest.json", "event file to invoke the function with")
	addr := fs.String("addr", "127.0.0.1:3000", "listen address for serve")
	dir := fs.String("dir", ".local", "working folder: bootstrap, CA, delivered mail (git-ignored)")
	realSMTP := fs.String("smtp", "", "use this SMTP server (host:port) instead of the development one, e.g. smtp.gmail.com:587")
	timeout := fs.Duration("timeout", 30*time.Second, "function timeout, as in template.yaml")
	_ = fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if os.Args[1] == "run" {
		err = run(ctx, *dir, *event, *realSMTP, *timeout, os.Stdout)
	} else {
		err = serve(ctx, *dir, *addr, *realSMTP, *timeout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localrun:", err)
		os.Exit(1)
	}
}

// local is the function running against the stand-ins.
type local struct {
	stack *devstack.Stack
	fn    *runtimeapi.Function
	// realSMTP is set when the function talks to a real server, where the
	// local accounts mean nothing.
	realSMTP string
	// queue is the local table, send queue and scheduler (queue.go); nil
	// for `make run`.
	queue *devstack.Queueing
	// store is the message table alone, for `make run` (store.go).
	store *devstack.MessageStore
}

func (l *local) Close() {
	l.fn.Stop()
	l.stack.Close()
	if l.queue != nil {
		l.queue.Close()
	}
	if l.store != nil {
		l.store.Close()
	}
}

// start builds the bootstrap (showing progress), starts the stand-ins and
// the function, whose log lines go to logs.
func start(ctx context.Context, dir, realSMTP string, logs io.Writer) (*local, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	fmt.Fprintf(os.Stderr, "building bootstrap for this machine…\n")
	bootstrap, err := devstack.BuildBootstrapWithProgress(root, abs, os.Stderr)
	if err != nil {
		return nil, err
	}
	return startBuilt(ctx, bootstrap, devstack.Options{Dir: abs}, realSMTP, logs)
}

// startBuilt starts the stand-ins and an already built bootstrap.
func startBuilt(ctx context.Context, bootstrap string, o devstack.Options, realSMTP string, logs io.Writer) (*local, error) {
	st, err := devstack.Start(o)
	if err != nil {
		return nil, err
	}
	env := st.Env()
	if realSMTP != "" {
		host, port, err := net.SplitHostPort(realSMTP)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("-smtp: %w", err)
		}
		env = append(withoutSMTP(env), "SMTP_HOST="+host, "SMTP_PORT="+port)
		fmt.Fprintf(os.Stderr, "SMTP: %s (real server; certificates verified against the system roots)\n", realSMTP)
	} else {
		fmt.Fprintf(os.Stderr, "SMTP: development server on 127.0.0.1:%d (STARTTLS, local CA %s)\n", st.SMTP.Port, st.CAFile)
	}
	var q *devstack.Queueing
	if offerQueuedRoutes {
		if q = startQueueing(ctx, os.Stderr); q != nil {
			env = append(env, q.Env()...)
		}
	}
	var ms *devstack.MessageStore
	if q == nil && !offerQueuedRoutes {
		if ms = startMessageStore(ctx, os.Stderr); ms != nil {
			env = append(env, ms.Env()...)
		}
	}
	if q != nil {
		env = append(env, unsubscribeEnv()...) // unsubscribe.go: links need the table
	}
	fn, err := runtimeapi.StartFunction(ctx, bootstrap, env, logs, logs)
	if err != nil {
		st.Close()
		if q != nil {
			q.Close()
		}
		if ms != nil {
			ms.Close()
		}
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "function ready (init %v), Runtime API on %s\n", fn.InitDuration.Round(time.Millisecond), fn.API.Addr)
	return &local{stack: st, fn: fn, realSMTP: realSMTP, queue: q, store: ms}, nil
}

func withoutSMTP(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "SMTP_") {
			out = append(out, e)
		}
	}
	return out
}
