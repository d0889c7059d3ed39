package faultproxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Fault is what the proxy does to one request. The zero value passes it.
type Fault int

// The faults, each as the real services show it on the wire.
const (
	// Pass forwards the request and its answer unchanged.
	Pass Fault = iota
	// ServerError answers 500 InternalServerError (InternalError on SQS,
	// InternalServerException on Scheduler) without forwarding: nothing
	// was applied. The SDKs retry it.
	ServerError
	// Throttled answers 400 ThrottlingException (RequestThrottled on
	// SQS; 429 on Scheduler) without forwarding. The SDKs retry it.
	Throttled
	// ThroughputExceeded answers 400 ProvisionedThroughputExceededException
	// (DynamoDB's per-table throttle; other services get Throttled)
	// without forwarding.
	ThroughputExceeded
	// LostReset forwards the request (it is applied), then resets the
	// client's connection instead of answering: the write happened and
	// the caller cannot know. The SDKs retry a reset.
	LostReset
	// Lost500 forwards the request (it is applied), then answers 500
	// instead of the service's answer.
	Lost500
	// Stall holds the request past the client's deadline (Options.StallFor)
	// and then drops it unapplied, as a request lost on the way does.
	Stall
	// StallApplied holds the request past the client's deadline, then
	// forwards it: it is applied after the client gave up, as a request
	// the service received but answered late is.
	StallApplied
)

var faultNames = [...]string{"pass", "500", "throttled", "throughput-exceeded", "lost-reset", "lost-500", "stall", "stall-applied"}

func (f Fault) String() string {
	if f < 0 || int(f) >= len(faultNames) {
		return fmt.Sprintf("fault(%d)", int(f))
	}
	return faultNames[f]
}

// Error makes a Fault a hook's answer: a hook returns the fault to inject.
func (f Fault) Error() string { return "faultproxy: inject " + f.String() }

// Every is each fault but Pass: the default mix of random faults.
var Every = []Fault{ServerError, Throttled, ThroughputExceeded, LostReset, Lost500, Stall, StallApplied}

// service is how one AWS service names its errors on the wire.
type service struct {
	namespace      string // AWS JSON __type prefix ("" for REST-JSON)
	internal       string
	throttle       string
	throttle2      string // ProvisionedThroughputExceeded where the service has it
	throttleStatus int
}

// serviceOf tells the service from the request: AWS JSON protocols name
// the operation in X-Amz-Target ("DynamoDB_20120810.PutItem",
// "AmazonSQS.SendMessageBatch"); anything else is taken for a REST-JSON
// service (EventBridge Scheduler).
func serviceOf(r *http.Request) service {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "DynamoDB_"):
		v := strings.TrimPrefix(target[:strings.IndexByte(target+".", '.')], "DynamoDB_")
		return service{namespace: "com.amazonaws.dynamodb.v" + v, internal: "InternalServerError",
			throttle: "ThrottlingException", throttle2: "ProvisionedThroughputExceededException", throttleStatus: 400}
	case strings.HasPrefix(target, "AmazonSQS."):
		return service{namespace: "com.amazonaws.sqs", internal: "InternalError", throttle: "RequestThrottled", throttleStatus: 400}
	case target != "":
		return service{namespace: "com.amazonaws." + strings.ToLower(target[:strings.IndexByte(target+".", '.')]),
			internal: "InternalFailure", throttle: "ThrottlingException", throttleStatus: 400}
	}
	return service{internal: "InternalServerException", throttle: "ThrottlingException", throttleStatus: 429}
}

// writeError answers with the service's error shape: AWS JSON puts the
// type in the body's __type, REST-JSON in the X-Amzn-Errortype header.
func (s service) writeError(w http.ResponseWriter, f Fault) {
	status, typ, msg := http.StatusInternalServerError, s.internal, "Internal server error (faultproxy)"
	switch f {
	case Throttled:
		status, typ, msg = s.throttleStatus, s.throttle, "Rate of requests exceeds the allowed throughput (faultproxy)"
	case ThroughputExceeded:
		status, typ, msg = s.throttleStatus, s.throttle, "Rate of requests exceeds the allowed throughput (faultproxy)"
		if s.throttle2 != "" {
			typ, msg = s.throttle2, "The level of configured provisioned throughput for the table was exceeded (faultproxy)"
		}
	}
	if s.namespace == "" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", typ)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Message": msg})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": s.namespace + "#" + typ, "message": msg})
}

// Operation names the request's operation: the X-Amz-Target's action
// ("PutItem", "SendMessageBatch"), or for Scheduler's REST paths
// (/schedules/{Name}) CreateSchedule, GetSchedule, UpdateSchedule or
// DeleteSchedule; otherwise the method and path.
func Operation(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndexByte(t, '.')+1:]
	}
	if strings.HasPrefix(r.URL.Path, "/schedules/") {
		switch r.Method {
		case http.MethodPost:
			return "CreateSchedule"
		case http.MethodGet:
			return "GetSchedule"
		case http.MethodPut:
			return "UpdateSchedule"
		case http.MethodDelete:
			return "DeleteSchedule"
		}
	}
	return r.Method + " " + r.URL.Path
}
