package devscheduler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type wireTarget struct {
	Arn     string `json:"Arn"`
	RoleArn string `json:"RoleArn"`
	Input   string `json:"Input,omitempty"`
}

type wireWindow struct {
	Mode                   string `json:"Mode"`
	MaximumWindowInMinutes *int   `json:"MaximumWindowInMinutes,omitempty"`
}

type createInput struct {
	ActionAfterCompletion      string     `json:"ActionAfterCompletion"`
	FlexibleTimeWindow         wireWindow `json:"FlexibleTimeWindow"`
	GroupName                  string     `json:"GroupName"`
	KmsKeyArn                  string     `json:"KmsKeyArn"`
	ScheduleExpression         string     `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string     `json:"ScheduleExpressionTimezone"`
	State                      string     `json:"State"`
	Target                     wireTarget `json:"Target"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/schedules/")
	if name == r.URL.Path || name == "" || strings.Contains(name, "/") {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "devscheduler serves /schedules/{Name} only")
		return
	}
	group := r.URL.Query().Get("groupName")
	switch r.Method {
	case http.MethodPost:
		s.count("CreateSchedule")
		s.create(w, r, name)
	case http.MethodGet:
		s.count("GetSchedule")
		s.get(w, group, name)
	case http.MethodDelete:
		s.count("DeleteSchedule")
		s.delete(w, group, name)
	default:
		writeError(w, http.StatusMethodNotAllowed, "UnknownOperationException", "devscheduler does not implement "+r.Method)
	}
}

func (s *Server) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
}

// writeError answers in REST-JSON's error shape: the type in
// X-Amzn-Errortype, the message in the body.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Message": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func groupOr(g string) string {
	if g == "" {
		return "default"
	}
	return g
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, name string) {
	var in createInput
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", "malformed JSON input")
		return
	}
	at, err := parseAt(in.ScheduleExpression, in.ScheduleExpressionTimezone)
	if err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	if in.Target.Arn == "" || in.Target.RoleArn == "" {
		writeError(w, http.StatusBadRequest, "ValidationException", "Target.Arn and Target.RoleArn are required")
		return
	}
	if in.FlexibleTimeWindow.Mode != "OFF" && in.FlexibleTimeWindow.Mode != "FLEXIBLE" {
		writeError(w, http.StatusBadRequest, "ValidationException", "FlexibleTimeWindow.Mode must be OFF or FLEXIBLE")
		return
	}
	group := groupOr(in.GroupName)
	key := group + "/" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.schedules[key]; ok {
		writeError(w, http.StatusConflict, "ConflictException", "Schedule "+name+" already exists.")
		return
	}
	sc := &Schedule{
		Name: name, Group: group, Expression: in.ScheduleExpression, Timezone: in.ScheduleExpressionTimezone,
		ActionAfterCompletion: in.ActionAfterCompletion, FlexibleWindowMode: in.FlexibleTimeWindow.Mode,
		TargetARN: in.Target.Arn, RoleARN: in.Target.RoleArn, Input: in.Target.Input, At: at, Created: time.Now(), KMSKeyARN: in.KmsKeyArn,
	}
	s.schedules[key] = sc
	if in.State != "DISABLED" {
		s.arm(key, sc)
	} else {
		sc.timer = time.NewTimer(0)
		sc.timer.Stop()
	}
	if s.loseAnswer != nil && s.loseAnswer(name) {
		writeError(w, http.StatusInternalServerError, "InternalServerException", "the answer was lost (devscheduler.LoseAnswers)")
		return
	}
	writeJSON(w, map[string]string{"ScheduleArn": ScheduleARN(group, name)})
}

// parseAt reads at(yyyy-mm-ddThh:mm:ss) in the schedule's time zone (UTC
// when none is given), the only expression this endpoint fires.
func parseAt(expr, zone string) (time.Time, error) {
	if !strings.HasPrefix(expr, "at(") || !strings.HasSuffix(expr, ")") {
		return time.Time{}, fmt.Errorf("devscheduler supports only at(yyyy-mm-ddThh:mm:ss) expressions, got %q", expr)
	}
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, fmt.Errorf("unknown ScheduleExpressionTimezone %q", zone)
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", expr[3:len(expr)-1], loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid at() expression %q", expr)
	}
	return t, nil
}

func (s *Server) get(w http.ResponseWriter, group, name string) {
	s.mu.Lock()
	sc, ok := s.schedules[groupOr(group)+"/"+name]
	var out map[string]any
	if ok {
		out = map[string]any{
			"Arn": ScheduleARN(sc.Group, sc.Name), "Name": sc.Name, "GroupName": sc.Group,
			"ScheduleExpression": sc.Expression, "ActionAfterCompletion": sc.ActionAfterCompletion,
			"FlexibleTimeWindow": wireWindow{Mode: sc.FlexibleWindowMode},
			"Target":             wireTarget{Arn: sc.TargetARN, RoleArn: sc.RoleARN, Input: sc.Input},
			"State":              "ENABLED", "CreationDate": float64(sc.Created.Unix()),
		}
		if sc.Timezone != "" {
			out["ScheduleExpressionTimezone"] = sc.Timezone
		}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Schedule "+name+" does not exist.")
		return
	}
	writeJSON(w, out)
}

func (s *Server) delete(w http.ResponseWriter, group, name string) {
	key := groupOr(group) + "/" + name
	s.mu.Lock()
	sc, ok := s.schedules[key]
	if ok {
		sc.timer.Stop()
		delete(s.schedules, key)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Schedule "+name+" does not exist.")
		return
	}
	writeJSON(w, map[string]string{})
}
