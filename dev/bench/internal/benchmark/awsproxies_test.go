package benchmark

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDelayAWSProxiesTheEndpointThatWins ensures each AWS endpoint variable gets one proxy, to the value a process would see (the last), that the returned environment points there, and that other variables are left alone.
func TestDelayAWSProxiesTheEndpointThatWins(t *testing.T) {
	hits := map[string]int{}
	backend := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits[name]++ }))
	}
	first, last := backend("first"), backend("last")
	defer first.Close()
	defer last.Close()
	env, ps := delayAWS([]string{"AWS_REGION=x", "AWS_ENDPOINT_URL_DYNAMODB=" + first.URL, "AWS_ENDPOINT_URL_DYNAMODB=" + last.URL}, 0)
	defer ps.Close()
	if len(ps) != 1 || ps["dynamodb"] == nil {
		t.Fatalf("proxies %v", ps)
	}
	got := ""
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "AWS_ENDPOINT_URL_DYNAMODB="); ok {
			got = v // the last wins
		}
	}
	if got != ps["dynamodb"].URL || env[0] != "AWS_REGION=x" {
		t.Fatalf("env %v", env)
	}
	req, _ := http.NewRequest("POST", got, nil)
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits["last"] != 1 || hits["first"] != 0 || requestList(ps.counts()) != "dynamodb: PutItem 1" {
		t.Fatalf("hits %v, counted %q", hits, requestList(ps.counts()))
	}
}
