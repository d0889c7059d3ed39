package benchmark

import (
	"fmt"
	"io"
	"strings"
	"time"
)

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// find returns the result of contender on workload against the
// development server.
func (rep *Report) find(workload, contender string) (Result, bool) {
	return rep.findOn(DevServer, workload, contender)
}

// findOn returns the result of contender on workload against server.
func (rep *Report) findOn(server, workload, contender string) (Result, bool) {
	for _, r := range rep.Results {
		if r.Server == server && r.Workload == workload && r.Contender == contender {
			return r, true
		}
	}
	return Result{}, false
}

// WriteMarkdown writes, for each SMTP server, the results table and the
// ratios, and the run's setting.
func (rep *Report) WriteMarkdown(w io.Writer) {
	c := rep.Config
	fmt.Fprintf(w, "# gmailsend benchmark\n\n")
	fmt.Fprintf(w, "Run %s on %s.\n\n", rep.Started.UTC().Format("2006-01-02 15:04 UTC"), rep.Machine)
	fmt.Fprintf(w, "Every workload against each SMTP server below, one after the other. "+
		"Message: 10 KB HTML + text, one 100 KB attachment, Hangul subject. Cold: %d fresh processes, one send each "+
		"(process start to response). Warm: %d invocations in one process. Batch: %d SQS batches of 10.\n",
		c.ColdRuns, c.Warm, c.Batches)
	if rep.PostfixSkipped != "" {
		fmt.Fprintf(w, "\nPostfix was not measured: %s.\n", rep.PostfixSkipped)
	}
	for _, srv := range rep.Servers {
		rep.writeServer(w, srv)
	}
	fmt.Fprintf(w, "\nThroughput × and latency ÷ above 1 mean gmailsend is ahead. CPU and RSS are the contender's own process "+
		"(for gmailsend the bootstrap binary; the Runtime API and SMTP server run in the harness).\n")
}

func (rep *Report) writeServer(w io.Writer, srv target) {
	fmt.Fprintf(w, "\n## %s\n\n%s.\n\n", srv.Name, srv.Detail)
	if !srv.counted {
		fmt.Fprintf(w, "Round trips and connections are counted by the development server only.\n\n")
	}
	fmt.Fprintf(w, "| workload | contender | msgs/s | p50 ms | p99 ms | round trips/msg | connections | CPU ms/msg | peak RSS MiB |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Results {
		if r.Server != srv.Name {
			continue
		}
		cpu := float64(r.CPU) / float64(time.Millisecond) / float64(max(r.Messages, 1))
		rts, conns := "–", "–"
		if r.Counted {
			rts, conns = fmt.Sprintf("%.1f", r.RoundTripsPerMessage()), fmt.Sprint(r.Conns)
		}
		fmt.Fprintf(w, "| %s | %s | %.1f | %s | %s | %s | %s | %.2f | %.1f |\n",
			r.Workload, r.Contender, r.PerSecond(), ms(r.Percentile(50)), ms(r.Percentile(99)),
			rts, conns, cpu, float64(r.PeakRSSKiB)/1024)
	}
	if cold, ok := rep.findOn(srv.Name, Cold, Gmailsend); ok {
		fmt.Fprintf(w, "\ngmailsend cold start: init (process start to first `/next`, median) %s ms; binary %.1f MiB (stripped, this machine's architecture).\n",
			ms(cold.Init), float64(rep.BinaryBytes)/(1<<20))
	}
	for name, size := range rep.Binaries { // variants.go
		if cold, ok := rep.findOn(srv.Name, Cold, name); ok {
			fmt.Fprintf(w, "\n%s cold start: init (median) %s ms; binary %.1f MiB.\n", name, ms(cold.Init), float64(size)/(1<<20))
		}
	}
	fmt.Fprintf(w, "\n### gmailsend compared with each peer (%s)\n\n", srv.Name)
	fmt.Fprintf(w, "| workload | peer | throughput ×  | latency p50 ÷ | peak RSS ÷ | round trips/msg (ours vs theirs) |\n|---|---|---:|---:|---:|---|\n")
	for _, wl := range []string{Cold, Warm, Batch} {
		ours, ok := rep.findOn(srv.Name, wl, Gmailsend)
		if !ok {
			continue
		}
		for _, peer := range rep.Config.Contenders {
			if peer == Gmailsend {
				continue
			}
			theirs, ok := rep.findOn(srv.Name, wl, peer)
			if !ok {
				continue
			}
			rts := "–"
			if ours.Counted {
				rts = fmt.Sprintf("%.1f vs %.1f", ours.RoundTripsPerMessage(), theirs.RoundTripsPerMessage())
			}
			fmt.Fprintf(w, "| %s | %s | %.2f× | %.2f× | %.2f× | %s |\n", wl, peer,
				ours.PerSecond()/theirs.PerSecond(),
				float64(theirs.Percentile(50))/float64(ours.Percentile(50)),
				float64(theirs.PeakRSSKiB)/float64(max(ours.PeakRSSKiB, 1)), rts)
		}
	}
}

// WriteSVG draws messages per second per server, workload and contender.
func (rep *Report) WriteSVG(w io.Writer) {
	workloads := []string{Cold, Warm, Batch}
	colors := []string{"#1a73e8", "#34a853", "#fbbc04", "#ea4335"}
	const width, rowH, left = 760, 22, 210
	var b strings.Builder
	y := 40
	for _, srv := range rep.Servers {
		for _, wl := range workloads {
			top := 0.0
			for _, c := range rep.Config.Contenders {
				if r, ok := rep.findOn(srv.Name, wl, c); ok && r.PerSecond() > top {
					top = r.PerSecond()
				}
			}
			fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s, %s (messages per second)</text>`+"\n", y, wl, srv.Name)
			y += 10
			for i, c := range rep.Config.Contenders {
				r, ok := rep.findOn(srv.Name, wl, c)
				if !ok || top == 0 {
					continue
				}
				bw := int(float64(width-left-90) * r.PerSecond() / top)
				fmt.Fprintf(&b, `<text x="10" y="%d">%s</text><rect x="%d" y="%d" width="%d" height="16" fill="%s"/><text x="%d" y="%d">%.1f</text>`+"\n",
					y+13, c, left, y, bw, colors[i%len(colors)], left+bw+6, y+13, r.PerSecond())
				y += rowH
			}
			y += 18
		}
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">`+"\n", width, y+10)
	fmt.Fprintf(w, `<text x="10" y="20" font-size="15">gmailsend vs nodemailer and smtplib — development server (simulated RTT %v) and Postfix (higher is better)</text>`+"\n", rep.Config.RTT)
	io.WriteString(w, b.String())
	io.WriteString(w, "</svg>\n")
}
