// Command bench runs the side-by-side benchmark (`make bench`): gmailsend
// against nodemailer (pooled and unpooled) and Python smtplib, on cold,
// warm sequential and batch workloads, against the development SMTP server
// and against Postfix, measures how fast status events reach a webhook,
// prints what 1,000 sends cost on AWS, and writes the
// tables to a Markdown file and a chart beside it.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/bench/internal/benchmark"
)

func main() {
	rtt := flag.Duration("rtt", 10*time.Millisecond, "simulated round-trip time added to every SMTP reply")
	cold := flag.Int("cold", 15, "cold runs (fresh process each; the init figure is their median)")
	warm := flag.Int("warm", 100, "warm sequential invocations")
	batches := flag.Int("batches", 10, "SQS batches of 10 records")
	only := flag.String("contenders", strings.Join(benchmark.AllContenders, ","), "comma-separated contenders")
	out := flag.String("out", "dev/bench/results.md", "Markdown output; the chart goes beside it as .svg")
	withStore := flag.Bool("store", true, "also measure the warm path with the message table (needs node for dynalite)")
	before := flag.String("before", "", "also run the bootstrap built from this git revision (git archive), for before/after figures in one run")
	queued := flag.Bool("queued", true, "also measure queued sends: POST /messages latency and a 100-message batch end to end (needs node for dynalite)")
	withEvents := flag.Bool("events", true, "also measure status events: status change to webhook received, and events/s through one events function (needs node for dynalite)")
	eventSends := flag.Int("event-sends", 100, "sends whose status events' latency is taken, per server and batching window")
	eventRecords := flag.Int("event-records", 1000, "status changes drained through one events function")
	bootstrapEnv := flag.String("bootstrap-env", "", "space-separated VAR=value added to gmailsend's environment, its stderr shown (e.g. GODEBUG=gctrace=1)")
	withPostfix := flag.Bool("postfix", true, "also run every workload against Postfix (dev/postfix; needs root, skipped with a line otherwise)")
	sweep := flag.String("memory-sweep", "128,256,512", "MemorySize values (MB) to measure warm sends at, with Lambda's CPU share simulated (needs root); empty: none")
	flag.Parse()

	root, _ := os.Getwd()
	cfg := benchmark.Config{RTT: *rtt, ColdRuns: *cold, Warm: *warm, Batches: *batches,
		Contenders: strings.FieldsFunc(*only, func(r rune) bool { return r == ',' }), ModuleRoot: root, WorkDir: filepath.Join(root, "dev", "bench", "out"), Before: *before,
		BootstrapEnv: strings.Fields(*bootstrapEnv), Postfix: *withPostfix,
		EventSends: *eventSends, EventRecords: *eventRecords}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	rep, err := benchmark.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var md bytes.Buffer
	rep.WriteMarkdown(&md)
	var (
		sr *benchmark.StoreReport
		qr *benchmark.QueuedReport
	)
	if *withStore {
		if sr, err = benchmark.RunStore(ctx, cfg); err != nil { // store.go
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sr.WriteMarkdown(&md)
	}
	if *queued {
		if qr, err = benchmark.RunQueued(ctx, cfg); err != nil { // queued.go
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		qr.WriteMarkdown(&md)
	}
	if *withEvents {
		er, err := benchmark.RunEvents(ctx, cfg) // events.go
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		er.WriteMarkdown(&md)
	}
	memoryMB, err := benchmark.TemplateMemoryMB(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	benchmark.NewCostReport(memoryMB, rep, sr, qr).WriteMarkdown(&md) // cost.go
	if sizes := parseSizes(*sweep); len(sizes) > 0 {
		mr, err := benchmark.RunMemorySweep(ctx, cfg, sizes) // memory.go
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		mr.WriteMarkdown(&md)
	}
	fmt.Print(md.String())
	var svg bytes.Buffer
	rep.WriteSVG(&svg)
	chart := strings.TrimSuffix(*out, filepath.Ext(*out)) + ".svg"
	md.WriteString("\n![messages per second](" + filepath.Base(chart) + ")\n")
	if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(chart, svg.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "wrote %s and %s\n", *out, chart)
}

// parseSizes reads "128,256,512".
func parseSizes(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 128 {
			fmt.Fprintf(os.Stderr, "bad -memory-sweep size %q\n", f)
			os.Exit(2)
		}
		out = append(out, n)
	}
	return out
}
