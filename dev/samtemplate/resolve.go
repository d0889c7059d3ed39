package samtemplate

import (
	"fmt"
)

// noValue is what !Ref AWS::NoValue resolves to: the property is left out.
type noValue struct{}

// NoValue marks a property that AWS::NoValue removed.
var NoValue any = noValue{}

// Resolver evaluates the conditional intrinsics of a loaded template
// (Ref to a parameter, Fn::If, Fn::Not, Fn::Equals, Fn::And, Fn::Or,
// Condition) for given parameter values, the way CloudFormation does at
// deploy time. Checks use it to ask what a deploy with the defaults (or
// with a user's choice) really creates, not what the YAML looks like.
// Anything else (GetAtt, Sub of resources) is returned unevaluated.
type Resolver struct {
	tpl    map[string]any
	params map[string]any
}

// NewResolver uses each parameter's Default, replaced by overrides.
func NewResolver(tpl map[string]any, overrides map[string]any) *Resolver {
	params := map[string]any{}
	if ps, ok := tpl["Parameters"].(map[string]any); ok {
		for name, p := range ps {
			if m, ok := p.(map[string]any); ok {
				params[name] = m["Default"]
			}
		}
	}
	for k, v := range overrides {
		params[k] = v
	}
	return &Resolver{tpl: tpl, params: params}
}

// Value resolves v; a property removed by AWS::NoValue is NoValue.
func (r *Resolver) Value(v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return v, nil
	}
	for k, arg := range m {
		switch k {
		case "Ref":
			name, _ := arg.(string)
			if name == "AWS::NoValue" {
				return NoValue, nil
			}
			if p, ok := r.params[name]; ok {
				return p, nil
			}
		case "Fn::If":
			branch, err := r.ifBranch(arg)
			if err != nil {
				return nil, err
			}
			return r.Value(branch)
		}
	}
	return v, nil
}

// Condition evaluates a named entry of the Conditions section.
func (r *Resolver) Condition(name string) (bool, error) {
	conds, _ := r.tpl["Conditions"].(map[string]any)
	c, ok := conds[name]
	if !ok {
		return false, fmt.Errorf("samtemplate: no condition %q", name)
	}
	return r.truth(c)
}

func (r *Resolver) truth(v any) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("samtemplate: not a condition: %v", v)
	}
	for k, arg := range m {
		args, _ := arg.([]any)
		switch k {
		case "Condition":
			return r.Condition(fmt.Sprint(arg))
		case "Fn::Not":
			if len(args) != 1 {
				return false, fmt.Errorf("samtemplate: Fn::Not needs one condition")
			}
			b, err := r.truth(args[0])
			return !b, err
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("samtemplate: Fn::Equals needs two values")
			}
			a, err := r.Deep(args[0])
			if err != nil {
				return false, err
			}
			b, err := r.Deep(args[1])
			if err != nil {
				return false, err
			}
			// CloudFormation compares parameter values as strings.
			return fmt.Sprint(a) == fmt.Sprint(b), nil
		case "Fn::And", "Fn::Or":
			all := k == "Fn::And"
			for _, c := range args {
				b, err := r.truth(c)
				if err != nil {
					return false, err
				}
				if all && !b {
					return false, nil
				}
				if !all && b {
					return true, nil
				}
			}
			return all, nil
		}
	}
	return false, fmt.Errorf("samtemplate: unsupported condition %v", v)
}

// ifBranch is the branch an Fn::If [condition, then, else] takes.
func (r *Resolver) ifBranch(arg any) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 3 {
		return nil, fmt.Errorf("samtemplate: Fn::If needs [condition, then, else]: %v", arg)
	}
	cond, err := r.Condition(fmt.Sprint(args[0]))
	if err != nil {
		return nil, err
	}
	if cond {
		return args[1], nil
	}
	return args[2], nil
}
