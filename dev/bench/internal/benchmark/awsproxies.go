package benchmark

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// awsProxies are the delaying, counting proxies put in front of a
// function's AWS endpoints, by service: the lower-case suffix of its
// AWS_ENDPOINT_URL_ variable (dynamodb, sqs, eventbridge,
// secrets_manager, scheduler).
type awsProxies map[string]*countingProxy

// delayAWS puts every AWS endpoint env names (AWS_ENDPOINT_URL_…; later
// entries win, as in a process's environment) behind a proxy that delays
// each request by rtt and counts it, and returns env pointing at the
// proxies (appended, so they win) and the proxies.
func delayAWS(env []string, rtt time.Duration) ([]string, awsProxies) {
	targets := map[string]string{}
	var order []string
	for _, e := range env {
		name, target, _ := strings.Cut(e, "=")
		if strings.HasPrefix(name, "AWS_ENDPOINT_URL_") {
			if _, seen := targets[name]; !seen {
				order = append(order, name)
			}
			targets[name] = target
		}
	}
	out, ps := append([]string(nil), env...), awsProxies{}
	for _, name := range order {
		p := newCountingProxy(targets[name], rtt)
		ps[strings.ToLower(strings.TrimPrefix(name, "AWS_ENDPOINT_URL_"))] = p
		out = append(out, name+"="+p.URL)
	}
	return out, ps
}

// reset forgets every proxy's counts.
func (ps awsProxies) reset() {
	for _, p := range ps {
		p.reset()
	}
}

// counts are the requests so far by service and operation.
func (ps awsProxies) counts() map[string]map[string]int {
	out := map[string]map[string]int{}
	for service, p := range ps {
		out[service], _ = p.counts()
	}
	return out
}

// Close stops every proxy.
func (ps awsProxies) Close() {
	for _, p := range ps {
		p.Close()
	}
}

// requestList writes requests by service and operation as
// "dynamodb: GetItem 2, PutItem 1; sqs: SendMessage 1", services and
// operations in name order; "" when there were none.
func requestList(requests map[string]map[string]int) string {
	var services []string
	for service, ops := range requests {
		var list []string
		for op, n := range ops {
			list = append(list, fmt.Sprintf("%s %d", op, n))
		}
		sort.Strings(list)
		if len(list) > 0 {
			services = append(services, service+": "+strings.Join(list, ", "))
		}
	}
	sort.Strings(services)
	return strings.Join(services, "; ")
}
