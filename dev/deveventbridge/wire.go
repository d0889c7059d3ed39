package deveventbridge

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The limits PutEvents enforces (EventBridge quotas and the PutEvents API
// reference): entries per call, and their size together (EntrySize).
const (
	MaxEntries      = 10
	MaxRequestBytes = 256 << 10
)

// apiError is an EventBridge error in the JSON 1.1 protocol's shape.
type apiError struct {
	status int
	typ    string // e.g. "ValidationException"
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func validation(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

// serve answers one request: the operation comes from X-Amz-Target, the
// input is the JSON body, as in every AWS JSON 1.1 service.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	const prefix = "AWSEvents."
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, prefix) {
		writeError(w, &apiError{http.StatusBadRequest, "UnknownOperationException", "expected POST with X-Amz-Target: AWSEvents.<Operation>"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeError(w, validation("unreadable body"))
		return
	}
	var out any
	switch op := strings.TrimPrefix(target, prefix); op {
	case "PutEvents":
		if !s.waitStall(r) {
			return // the client gave up; nothing it sent is accepted
		}
		out, err = s.putEvents(body)
	case "CreateEventBus":
		out, err = s.createEventBus(body)
	default:
		err = &apiError{http.StatusBadRequest, "UnknownOperationException", "deveventbridge does not implement " + op}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// waitStall holds the call for the stall Stall set; false when the client
// went away meanwhile.
func (s *Server) waitStall(r *http.Request) bool {
	s.mu.Lock()
	d := s.stall
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}

func writeError(w http.ResponseWriter, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{http.StatusInternalServerError, "InternalException", err.Error()}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "message": e.msg})
}

func (s *Server) createEventBus(body []byte) (any, error) {
	var in struct{ Name string }
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		return nil, validation("Name is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buses[in.Name] {
		return nil, &apiError{http.StatusBadRequest, "ResourceAlreadyExistsException", "Event bus " + in.Name + " already exists."}
	}
	s.buses[in.Name] = true
	return map[string]string{"EventBusArn": BusARN(in.Name)}, nil
}

// wireEntry is a PutEventsRequestEntry as the SDK sends it: Time is epoch
// seconds (a JSON number), the protocol's default timestamp format.
type wireEntry struct {
	Source       *string
	DetailType   *string
	Detail       *string
	EventBusName string
	Resources    []string
	Time         json.RawMessage
}

// resultEntry is a PutEventsResultEntry: EventId, or ErrorCode and ErrorMessage.
type resultEntry struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

func (s *Server) putEvents(body []byte) (any, error) {
	var in struct{ Entries []wireEntry }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, s.refused(0, 0, validation("malformed JSON input"))
	}
	n := len(in.Entries)
	if n < 1 || n > MaxEntries {
		return nil, s.refused(n, 0, validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", MaxEntries))
	}
	size, missing := 0, 0
	for _, e := range in.Entries {
		size += EntrySize(len(e.Time) > 0, deref(e.Source), deref(e.DetailType), deref(e.Detail), e.Resources)
		if e.Source == nil || e.DetailType == nil || e.Detail == nil {
			missing++
		}
	}
	if size > MaxRequestBytes {
		return nil, s.refused(n, size, validation("Total size of the entries in the request is over the limit."))
	}
	if missing == n {
		return nil, s.refused(n, size, validation("Detail, DetailType and Source are required in at least one entry."))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]resultEntry, n)
	failed := 0
	for i, e := range in.Entries {
		out[i] = s.putEntry(e)
		if out[i].ErrorCode != "" {
			failed++
		}
	}
	s.requests = append(s.requests, Request{Entries: n, Bytes: size, Failed: failed})
	return map[string]any{"Entries": out, "FailedEntryCount": failed}, nil
}

// refused records a call refused whole and passes its error on.
func (s *Server) refused(entries, size int, err *apiError) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Entries: entries, Bytes: size, Failed: -1})
	return err
}

// putEntry checks one entry and accepts it, unless a test scripted its
// failure; the caller holds the mutex.
func (s *Server) putEntry(e wireEntry) resultEntry {
	for i, v := range []*string{e.Source, e.DetailType, e.Detail} {
		if v == nil || *v == "" {
			name := [...]string{"Source", "DetailType", "Detail"}[i]
			return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter " + name + " is not valid. Reason: " + name + " is a required argument."}
		}
	}
	if !isJSONObject(*e.Detail) {
		return resultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	at, err := entryTime(e.Time)
	if err != nil {
		return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Time is not valid."}
	}
	bus := busName(e.EventBusName)
	if !s.buses[bus] {
		return resultEntry{ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus " + bus + " does not exist."}
	}
	ev := Event{ID: newID(), Bus: bus, Source: *e.Source, DetailType: *e.DetailType, Detail: *e.Detail, Time: at,
		Resources: append([]string(nil), e.Resources...)}
	if code := s.scriptedFailure(ev); code != "" {
		return resultEntry{ErrorCode: code, ErrorMessage: "failed as scripted (deveventbridge)"}
	}
	s.accept(ev)
	return resultEntry{EventId: ev.ID}
}

// busName is the bus an entry names, by name or ARN; none is the default bus.
func busName(nameOrARN string) string {
	if nameOrARN == "" {
		return DefaultBus
	}
	if i := strings.LastIndex(nameOrARN, ":event-bus/"); strings.HasPrefix(nameOrARN, "arn:") && i >= 0 {
		return nameOrARN[i+len(":event-bus/"):]
	}
	return nameOrARN
}

// entryTime reads epoch seconds (fractions allowed) or an RFC 3339 string;
// none is now, as EventBridge stamps an entry without Time.
func entryTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Now().UTC(), nil
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return time.Parse(time.RFC3339Nano, text)
	}
	secs, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return time.Time{}, err
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC(), nil
}

func isJSONObject(s string) bool {
	t := bytes.TrimSpace([]byte(s))
	return len(t) > 0 && t[0] == '{' && json.Valid(t)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// newID is an event id in EventBridge's shape (a UUID).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
