package devsqs

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// apiError is an SQS error in the JSON protocol's shape.
type apiError struct {
	status int
	typ    string // e.g. "QueueDoesNotExist"
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func invalid(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf(format, args...)}
}

// serve answers one request: the action comes from X-Amz-Target, the input
// is the JSON body, as in every AWS JSON 1.0 service.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	const prefix = "AmazonSQS."
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, prefix) {
		writeError(w, &apiError{http.StatusBadRequest, "InvalidAction", "expected POST with X-Amz-Target: AmazonSQS.<Action>"})
		return
	}
	action := strings.TrimPrefix(target, prefix)
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeError(w, invalid("unreadable body"))
		return
	}
	s.mu.Lock()
	s.calls[action]++
	s.mu.Unlock()

	var out any
	switch action {
	case "GetQueueUrl":
		out, err = s.getQueueURL(body)
	case "GetQueueAttributes":
		out, err = s.getQueueAttributes(body)
	case "SendMessage":
		out, err = s.sendMessage(body)
	case "SendMessageBatch":
		out, err = s.sendMessageBatch(body)
	case "ReceiveMessage":
		out, err = s.receiveMessage(r, body)
	case "DeleteMessage":
		out, err = s.deleteMessage(body)
	case "ChangeMessageVisibility":
		out, err = s.changeMessageVisibility(body)
	default:
		err = &apiError{http.StatusBadRequest, "InvalidAction", "devsqs does not implement " + action}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	// SQS's JSON protocol also names the query-protocol code in this header.
	w.Header().Set("x-amzn-query-error", e.typ+";Sender")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.typ, "message": e.msg})
}

// lookup finds the queue of a request by URL; the caller holds the mutex.
func (s *Server) lookup(url string) (*queue, error) {
	q := s.queues[queueName(url)]
	if q == nil {
		return nil, &apiError{http.StatusBadRequest, "QueueDoesNotExist", "The specified queue does not exist."}
	}
	return q, nil
}

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return invalid("malformed JSON input")
	}
	return nil
}

func (s *Server) getQueueURL(body []byte) (any, error) {
	var in struct{ QueueName string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queues[in.QueueName] == nil {
		return nil, &apiError{http.StatusBadRequest, "QueueDoesNotExist", "The specified queue does not exist."}
	}
	return map[string]string{"QueueUrl": s.QueueURL(in.QueueName)}, nil
}

func (s *Server) getQueueAttributes(body []byte) (any, error) {
	var in struct{ QueueUrl string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	visible, hidden := q.counts(time.Now())
	return map[string]map[string]string{"Attributes": {
		"QueueArn":                              QueueARN(q.name),
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(hidden),
		"VisibilityTimeout":                     strconv.Itoa(int(q.visibility().Seconds())),
		"MaximumMessageSize":                    strconv.Itoa(q.maxBytes()),
	}}, nil
}

func (s *Server) sendMessage(body []byte) (any, error) {
	var in struct {
		QueueUrl     string
		MessageBody  string
		DelaySeconds int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBody(q, in.MessageBody); err != nil {
		return nil, err
	}
	m := s.send(q, in.MessageBody, time.Duration(in.DelaySeconds)*time.Second)
	return map[string]string{"MessageId": m.ID, "MD5OfMessageBody": md5Hex(m.Body)}, nil
}

func checkBody(q *queue, body string) error {
	if body == "" {
		return &apiError{http.StatusBadRequest, "MissingParameter", "The request must contain the parameter MessageBody."}
	}
	if len(body) > q.maxBytes() {
		return invalid("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.maxBytes())
	}
	return nil
}

type batchEntry struct {
	Id           string
	MessageBody  string
	DelaySeconds int
}

type batchFailure struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

func (s *Server) sendMessageBatch(body []byte) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []batchEntry
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.Entries) == 0 {
		return nil, &apiError{http.StatusBadRequest, "EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request."}
	}
	if len(in.Entries) > 10 {
		return nil, &apiError{http.StatusBadRequest, "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	total, seen := 0, map[string]bool{}
	for _, e := range in.Entries {
		if seen[e.Id] {
			return nil, &apiError{http.StatusBadRequest, "BatchEntryIdsNotDistinct", "Id " + e.Id + " repeated."}
		}
		seen[e.Id] = true
		total += len(e.MessageBody)
	}
	if total > q.maxBytes() {
		return nil, &apiError{http.StatusBadRequest, "BatchRequestTooLong", "Batch requests cannot be longer than the queue's maximum message size."}
	}
	type success struct{ Id, MessageId, MD5OfMessageBody string }
	out := struct {
		Successful []success
		Failed     []batchFailure
	}{Successful: []success{}, Failed: []batchFailure{}}
	for _, e := range in.Entries {
		if err := checkBody(q, e.MessageBody); err != nil {
			out.Failed = append(out.Failed, batchFailure{Id: e.Id, SenderFault: true, Code: "InvalidParameterValue", Message: err.(*apiError).msg})
			continue
		}
		if s.failEntry != nil && s.failEntry(e.Id, e.MessageBody) {
			out.Failed = append(out.Failed, batchFailure{Id: e.Id, Code: "InternalError", Message: "devsqs: injected failure"})
			continue
		}
		m := s.send(q, e.MessageBody, time.Duration(e.DelaySeconds)*time.Second)
		out.Successful = append(out.Successful, success{e.Id, m.ID, md5Hex(m.Body)})
	}
	return out, nil
}

type wireMessage struct {
	MessageId     string
	ReceiptHandle string
	MD5OfBody     string
	Body          string
	Attributes    map[string]string
}

func (s *Server) receiveMessage(r *http.Request, body []byte) (any, error) {
	var in struct {
		QueueUrl            string
		MaxNumberOfMessages int
		VisibilityTimeout   *int
		WaitTimeSeconds     int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.MaxNumberOfMessages == 0 {
		in.MaxNumberOfMessages = 1
	}
	if in.MaxNumberOfMessages < 1 || in.MaxNumberOfMessages > 10 {
		return nil, invalid("MaxNumberOfMessages must be between 1 and 10")
	}
	s.mu.Lock()
	_, err := s.lookup(in.QueueUrl)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var vis time.Duration
	if in.VisibilityTimeout != nil {
		vis = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	got, err := s.receiveWait(r.Context(), queueName(in.QueueUrl), in.MaxNumberOfMessages, vis, time.Duration(in.WaitTimeSeconds)*time.Second)
	if err != nil {
		return nil, err
	}
	out := struct{ Messages []wireMessage }{Messages: []wireMessage{}}
	for _, m := range got {
		out.Messages = append(out.Messages, wireMessage{
			MessageId: m.ID, ReceiptHandle: m.receiptHandle, MD5OfBody: md5Hex(m.Body), Body: m.Body,
			Attributes: attributes(m),
		})
	}
	return out, nil
}

func attributes(m Message) map[string]string {
	return map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
		"SentTimestamp":                    millis(m.SentAt),
		"ApproximateFirstReceiveTimestamp": millis(m.FirstReceived),
		"SenderId":                         "AIDADEVSQS",
	}
}

func (s *Server) deleteMessage(body []byte) (any, error) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	// SQS accepts a delete for a handle whose message is gone already.
	q.remove(in.ReceiptHandle)
	return struct{}{}, nil
}

func (s *Server) changeMessageVisibility(body []byte) (any, error) {
	var in struct {
		QueueUrl          string
		ReceiptHandle     string
		VisibilityTimeout int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout < 0 || in.VisibilityTimeout > 43200 {
		return nil, invalid("VisibilityTimeout must be between 0 and 43200 seconds")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	m := q.byHandle(in.ReceiptHandle)
	if m == nil {
		return nil, &apiError{http.StatusBadRequest, "ReceiptHandleIsInvalid", "The input receipt handle is invalid."}
	}
	m.visibleAt = time.Now().Add(time.Duration(in.VisibilityTimeout) * time.Second)
	s.notify()
	return struct{}{}, nil
}
