package benchmark

import (
	"sort"
	"time"
)

// Workload names.
const (
	Cold  = "cold"
	Warm  = "warm sequential"
	Batch = "batch"
)

// Result is one contender on one workload.
type Result struct {
	Workload   string
	Contender  string
	Server     string // DevServer or PostfixServer
	Counted    bool   // the server counted RoundTrips and Conns
	Messages   int
	Wall       time.Duration   // total time of the measured sends (cold: process start to response)
	Latencies  []time.Duration // per message (batch: per message of each batch)
	RoundTrips int64           // counted by the server
	Conns      int64
	CPU        time.Duration // user+system of the contender's process
	PeakRSSKiB int64
	Init       time.Duration // cold: process start to ready (gmailsend: first /next)
}

// PerSecond is messages per second of wall time.
func (r Result) PerSecond() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Messages) / r.Wall.Seconds()
}

// RoundTripsPerMessage is the server-counted round trips per message.
func (r Result) RoundTripsPerMessage() float64 {
	if r.Messages == 0 {
		return 0
	}
	return float64(r.RoundTrips) / float64(r.Messages)
}

// Percentile returns the p-th percentile latency (0 < p <= 100).
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), r.Latencies...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}
