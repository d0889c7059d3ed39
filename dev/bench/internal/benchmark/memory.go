package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// lambdaMBPerCPU is the memory size at which Lambda gives a function one
// full vCPU; below it, the share is proportional.
const lambdaMBPerCPU = 1769

// cpuPeriod is the CFS period of the simulated CPU share: the quota is
// spread over 20 ms slices, so a send is throttled in small steps rather
// than stopped for most of a long period.
const cpuPeriod = 20 * time.Millisecond

// cpuCgroups is where cgroup v1's cpu controller is mounted.
var cpuCgroups = "/sys/fs/cgroup/cpu"

// MemoryPoint is the warm workload at one memory size.
type MemoryPoint struct {
	MB    int
	Init  time.Duration // process start to the first /next, under the quota
	First time.Duration // the first (cold) send
	Warm  Result
}

// MemoryReport is the MemorySize sweep.
type MemoryReport struct {
	RTT     time.Duration
	Points  []MemoryPoint
	Skipped string // why the sweep did not run
}

// RunMemorySweep runs the bootstrap at each memory size with the CPU share
// Lambda gives that size, simulated with a CFS quota (cgroup v1 cpu
// controller: quota/period = MB/1769 of one core, GOMAXPROCS=1): a cold
// first send, then cfg.Warm warm ones, against the development server.
// Without a writable cpu cgroup (not root) it reports why and measures
// nothing.
func RunMemorySweep(ctx context.Context, cfg Config, sizes []int) (*MemoryReport, error) {
	rep := &MemoryReport{RTT: cfg.RTT}
	probe := filepath.Join(cpuCgroups, fmt.Sprintf("gmailsend-bench-%d-probe", os.Getpid()))
	if err := os.Mkdir(probe, 0o755); err != nil {
		rep.Skipped = "no writable cgroup v1 cpu controller at " + cpuCgroups + " (" + err.Error() + ")"
		return rep, nil
	}
	_ = os.Remove(probe)
	bootstrap, st, err := startMeasured(cfg)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	req, err := json.Marshal(Request())
	if err != nil {
		return nil, err
	}
	for _, mb := range sizes {
		p, err := runAtSize(ctx, cfg, bootstrap, append(st.Env(), "GOMAXPROCS=1", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(mb)), req, mb)
		if err != nil {
			return nil, fmt.Errorf("benchmark: %d MB: %w", mb, err)
		}
		rep.Points = append(rep.Points, p)
	}
	return rep, nil
}

func runAtSize(ctx context.Context, cfg Config, bootstrap string, env []string, req []byte, mb int) (MemoryPoint, error) {
	p := MemoryPoint{MB: mb}
	group := filepath.Join(cpuCgroups, fmt.Sprintf("gmailsend-bench-%d-%d", os.Getpid(), mb))
	if err := os.Mkdir(group, 0o755); err != nil {
		return p, err
	}
	defer os.Remove(group) // empty once the process has exited
	period := cpuPeriod.Microseconds()
	quota := max(period*int64(mb)/lambdaMBPerCPU, 1000)
	for file, v := range map[string]int64{"cpu.cfs_period_us": period, "cpu.cfs_quota_us": quota} {
		if err := os.WriteFile(filepath.Join(group, file), []byte(strconv.FormatInt(v, 10)), 0o644); err != nil {
			return p, err
		}
	}
	// The bootstrap enters the group before it starts, so init runs under
	// the quota too.
	wrapper := filepath.Join(cfg.WorkDir, fmt.Sprintf("bootstrap-%dmb", mb))
	script := fmt.Sprintf("#!/bin/sh\necho $$ > %s/cgroup.procs && exec %s\n", group, bootstrap)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		return p, err
	}
	fn, err := runtimeapi.StartFunction(ctx, wrapper, env, nil, nil)
	if err != nil {
		return p, err
	}
	defer fn.Stop()
	p.Init = fn.InitDuration
	invoke := func() (time.Duration, error) {
		t0 := time.Now()
		out, err := fn.Invoke(ctx, req, 30*time.Second)
		if err == nil && out.Err != nil {
			err = out.Err
		}
		return time.Since(t0), err
	}
	if p.First, err = invoke(); err != nil {
		return p, err
	}
	for i := 0; i < cfg.Warm; i++ {
		d, err := invoke()
		if err != nil {
			return p, err
		}
		p.Warm.record(d, 1)
	}
	if p.Warm.Messages == 0 {
		return p, errors.New("no warm sends")
	}
	return p, nil
}

// WriteMarkdown writes the sweep: durations and the Lambda cost of 1,000
// warm sends at each size.
func (r *MemoryReport) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n## MemorySize sweep\n\n")
	if r.Skipped != "" {
		fmt.Fprintf(w, "Not measured: %s.\n", r.Skipped)
		return
	}
	fmt.Fprintf(w, "The real bootstrap with the CPU share Lambda gives each size, simulated by a CFS quota (cgroup v1, %v period, MB/%d of one core) and GOMAXPROCS=1; "+
		"development server, simulated round trip %v. Cost: Lambda only (requests and GB-seconds) for 1,000 warm synchronous sends.\n\n", cpuPeriod, lambdaMBPerCPU, r.RTT)
	fmt.Fprintf(w, "| MemorySize | CPU share | init ms | first send ms | warm p50 ms | warm p99 ms | billed ms/send | Lambda $ per 1,000 |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range r.Points {
		c := warmCost("", p.Warm, "")
		lambda, _, _, _ := c.per1000(p.MB)
		fmt.Fprintf(w, "| %d MB | %.1f%% | %s | %s | %s | %s | %.1f | %.5f |\n", p.MB, 100*float64(p.MB)/lambdaMBPerCPU,
			ms(p.Init), ms(p.First), ms(p.Warm.Percentile(50)), ms(p.Warm.Percentile(99)), c.BilledMs, lambda)
	}
}
