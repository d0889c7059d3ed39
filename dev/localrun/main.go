// Command localrun runs the real bootstrap binary under a local Lambda
// Runtime API, against local stand-ins for Gmail, Secrets Manager and
// Google's token endpoint (package devstack): `make run` and `make serve`.
//
//	localrun run -event events/sqs-batch.json      one invocation, then its log, response and what was delivered
//	localrun serve -addr 127.0.0.1:3000            the REST API's routes, like sam local start-api
//	localrun mailpit                               Mailpit alone on :1025 and :8025, for sam local invoke
//
// With -mailpit BIN, run and serve deliver to Mailpit (mailpit.go) instead
// of the development SMTP server, so the mail can be looked at in a browser.
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

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "run" && os.Args[1] != "serve" && os.Args[1] != "mailpit") {
		fmt.Fprintln(os.Stderr, "usage: localrun run -event FILE | localrun serve [-addr HOST:PORT] | localrun mailpit  (run and serve take -mailpit BIN)")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	event := fs.String("event", "events/apigateway-rest.json", "event file to invoke the function with")
	addr := fs.String("addr", "127.0.0.1:3000", "listen address for serve")
	dir := fs.String("dir", ".local", "working folder: bootstrap, CA, delivered mail (git-ignored)")
	realSMTP := fs.String("smtp", "", "use this SMTP server (host:port) instead of the development one, e.g. smtp.gmail.com:587")
	timeout := fs.Duration("timeout", 30*time.Second, "function timeout, as in template.yaml")
	mailpitBin := fs.String("mailpit", "", "deliver to Mailpit, started from this binary (make run MAILPIT=1 builds it into .local/bin)")
	receiverAddr := fs.String("receiver", "127.0.0.1:3001", "serve's webhook receiver: point a webhook at http://HOST:PORT/… to see its deliveries (empty: none)")
	_ = fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := options{dir: *dir, realSMTP: *realSMTP, mailpit: *mailpitBin, receiver: *receiverAddr}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(ctx, o, *event, *timeout, os.Stdout)
	case "serve":
		err = serve(ctx, o, *addr, *timeout)
	case "mailpit":
		err = serveMailpit(ctx, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localrun:", err)
		os.Exit(1)
	}
}

// options are run's and serve's choices of where the function delivers.
type options struct {
	dir string
	// realSMTP (host:port) replaces the development SMTP server.
	realSMTP string
	// mailpit is the mailpit binary; set, the function delivers to Mailpit.
	mailpit string
	// receiver is serve's webhook receiver address ("" for none).
	receiver string
	// mail adjusts the development SMTP server (serve: bounces into the
	// local INBOXes).
	mail func(*devsmtp.Options)
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
	// events is the status events pipeline over the table (events.go);
	// nil without a table.
	events *devstack.Events
	// eventsLog holds the events function's log lines.
	eventsLog *syncBuffer
	// env is the send function's environment (the bounce reader starts
	// from it).
	env []string
	// receiver and bounceReader are serve's webhook loop (receiver.go,
	// bounces.go); nil otherwise.
	receiver     *receiver
	bounceReader *runtimeapi.Function
}

func (l *local) Close() {
	l.fn.Stop()
	if l.bounceReader != nil {
		l.bounceReader.Stop()
	}
	if l.receiver != nil {
		l.receiver.Close()
	}
	l.stack.Close()
	if l.events != nil {
		l.events.Close()
	}
	if l.queue != nil {
		l.queue.Close()
	}
	if l.store != nil {
		l.store.Close()
	}
}

// start builds the bootstrap (showing progress), starts the stand-ins and
// the function, whose log lines go to logs.
func start(ctx context.Context, o options, logs io.Writer) (*local, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(o.dir)
	fmt.Fprintf(os.Stderr, "building bootstrap for this machine…\n")
	bootstrap, err := devstack.BuildBootstrapWithProgress(root, abs, os.Stderr)
	if err != nil {
		return nil, err
	}
	return startBuilt(ctx, bootstrap, devstack.Options{Dir: abs, Mailpit: o.mailpit, Mail: o.mail}, o.realSMTP, logs)
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
	} else if st.Mailpit != nil {
		fmt.Fprintf(os.Stderr, "SMTP: Mailpit on %s (STARTTLS required, AUTH with the local accounts, local CA %s)\n", st.Mailpit.SMTPAddr, st.CAFile)
		fmt.Fprintf(os.Stderr, "mail: each message's links are printed once delivered (Mailpit's API: %s/api/v1/messages)\n", st.Mailpit.URL)
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
	var queues *devsqs.Server
	if q != nil {
		queues = q.SQS
	}
	ev, evLog := startEvents(ctx, o.Dir, tableEndpoint(q, ms), queues, st.Env(), os.Stderr) // events.go
	if ev != nil {
		env = append(env, ev.SendEnv()...)
	}
	fn, err := runtimeapi.StartFunction(ctx, bootstrap, env, logs, logs)
	if err != nil {
		if ev != nil {
			ev.Close()
		}
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
	return &local{stack: st, fn: fn, realSMTP: realSMTP, queue: q, store: ms, events: ev, eventsLog: evLog, env: env}, nil
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
