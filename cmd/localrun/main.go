// Command localrun runs the real bootstrap binary under a local Lambda
// Runtime API, against local stand-ins for Gmail, Secrets Manager and
// Google's token endpoint (package devstack): `make run` and `make serve`.
//
//	localrun run -event events/sqs-batch.json      one invocation, then a summary of what was delivered
//	localrun serve -addr 127.0.0.1:3000            POST /send, like sam local start-api
//
// With -smtp smtp.gmail.com:587 the function talks to that server instead
// of the development one, so a real app password sends a real email.
package main

import (
	"context"
	"encoding/json"
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
		err = run(ctx, *dir, *event, *realSMTP, *timeout)
	} else {
		err = serve(ctx, *dir, *addr, *realSMTP, *timeout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localrun:", err)
		os.Exit(1)
	}
}

// start builds the bootstrap, starts the stand-ins and the function.
func start(ctx context.Context, dir, realSMTP string, logs io.Writer) (*devstack.Stack, *runtimeapi.Function, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	abs, _ := filepath.Abs(dir)
	fmt.Fprintf(os.Stderr, "building bootstrap for this machine…\n")
	bootstrap, err := devstack.BuildBootstrap(root, abs)
	if err != nil {
		return nil, nil, err
	}
	st, err := devstack.Start(devstack.Options{Dir: abs})
	if err != nil {
		return nil, nil, err
	}
	env := st.Env()
	if realSMTP != "" {
		host, port, err := net.SplitHostPort(realSMTP)
		if err != nil {
			st.Close()
			return nil, nil, fmt.Errorf("-smtp: %w", err)
		}
		env = append(withoutSMTP(env), "SMTP_HOST="+host, "SMTP_PORT="+port)
		fmt.Fprintf(os.Stderr, "SMTP: %s (real server; certificates verified against the system roots)\n", realSMTP)
	} else {
		fmt.Fprintf(os.Stderr, "SMTP: development server on 127.0.0.1:%d (STARTTLS, local CA %s)\n", st.SMTP.Port, st.CAFile)
	}
	fn, err := runtimeapi.StartFunction(ctx, bootstrap, env, logs, logs)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "function ready (init %v), Runtime API on %s\n", fn.InitDuration.Round(time.Millisecond), fn.API.Addr)
	return st, fn, nil
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

func run(ctx context.Context, dir, eventFile, realSMTP string, timeout time.Duration) error {
	payload, err := os.ReadFile(eventFile)
	if err != nil {
		return err
	}
	st, fn, err := start(ctx, dir, realSMTP, prefixed(os.Stderr, "function log: "))
	if err != nil {
		return err
	}
	defer st.Close()
	defer fn.Stop()
	before := len(st.SMTP.Messages())
	res, err := fn.Invoke(ctx, payload, timeout)
	if err != nil {
		return err
	}
	fmt.Printf("\n== response to %s (%v)\n", eventFile, res.Duration.Round(time.Millisecond))
	if res.Err != nil {
		fmt.Printf("function error %s: %s\n", res.Err.Type, res.Err.Message)
	} else {
		fmt.Println(pretty(res.Payload))
	}
	delivered := st.SMTP.Messages()[before:]
	fmt.Printf("\n== %d message(s) delivered to the development SMTP server\n", len(delivered))
	for i, m := range delivered {
		s, err := devstack.Summarize(m)
		if err != nil {
			return err
		}
		fmt.Printf("[%d]\n%s", i+1, s)
	}
	if res.Err != nil {
		return fmt.Errorf("the function returned an error")
	}
	return nil
}

// pretty indents JSON, and the JSON body of an API Gateway response too.
func pretty(b []byte) string {
	var v map[string]any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	if body, ok := v["body"].(string); ok {
		var inner any
		if json.Unmarshal([]byte(body), &inner) == nil {
			v["body"] = inner
		}
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return string(out)
}

type prefixWriter struct {
	w      io.Writer
	prefix string
}

func prefixed(w io.Writer, p string) io.Writer { return &prefixWriter{w, p} }

func (p *prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			fmt.Fprint(p.w, p.prefix+line)
		}
	}
	return len(b), nil
}
