package samtemplate

import (
	"fmt"
	"regexp"
	"strings"
)

// Stand-ins for what only a deploy knows: checks resolve the template as
// if it were deployed as stack StackName in this account and region.
const (
	StackName = "gmailsend"
	Partition = "aws"
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// Deep resolves v and everything in it as CloudFormation would at deploy
// time: Ref (parameters, pseudo parameters, resources), Fn::GetAtt,
// Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::If and Condition, with
// values AWS::NoValue removed from maps and lists. Resources get
// deterministic stand-in names and ARNs (PhysicalID, ARN).
func (r *Resolver) Deep(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, c := range x {
			d, err := r.Deep(c)
			if err != nil {
				return nil, err
			}
			if d != NoValue {
				out = append(out, d)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, c := range x {
			d, err := r.Deep(c)
			if err != nil {
				return nil, err
			}
			if d != NoValue {
				out[k] = d
			}
		}
		return out, nil
	}
	return v, nil
}

func (r *Resolver) intrinsic(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		return r.ref(fmt.Sprint(arg))
	case "Condition":
		return r.Condition(fmt.Sprint(arg))
	case "Fn::If":
		branch, err := r.ifBranch(arg)
		if err != nil {
			return nil, err
		}
		return r.Deep(branch)
	case "Fn::GetAtt":
		args, _ := arg.([]any)
		if len(args) != 2 {
			return nil, fmt.Errorf("samtemplate: Fn::GetAtt needs [resource, attribute]: %v", arg)
		}
		return r.getAtt(fmt.Sprint(args[0]), fmt.Sprint(args[1]))
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::Join":
		args, _ := arg.([]any)
		if len(args) != 2 {
			return nil, fmt.Errorf("samtemplate: Fn::Join needs [delimiter, list]: %v", arg)
		}
		list, err := r.list(args[1])
		if err != nil {
			return nil, err
		}
		return strings.Join(list, fmt.Sprint(args[0])), nil
	case "Fn::Split":
		args, _ := arg.([]any)
		if len(args) != 2 {
			return nil, fmt.Errorf("samtemplate: Fn::Split needs [delimiter, string]: %v", arg)
		}
		s, err := r.Deep(args[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, part := range strings.Split(fmt.Sprint(s), fmt.Sprint(args[0])) {
			out = append(out, part)
		}
		return out, nil
	case "Fn::Select":
		args, _ := arg.([]any)
		if len(args) != 2 {
			return nil, fmt.Errorf("samtemplate: Fn::Select needs [index, list]: %v", arg)
		}
		i, ok := asIndex(args[0])
		list, err := r.Deep(args[1])
		if err != nil {
			return nil, err
		}
		l, _ := list.([]any)
		if !ok || i < 0 || i >= len(l) {
			return nil, fmt.Errorf("samtemplate: Fn::Select index %v out of %v", args[0], l)
		}
		return l[i], nil
	}
	return nil, fmt.Errorf("samtemplate: %s is not supported", name)
}

func asIndex(v any) (int, bool) {
	var i int
	_, err := fmt.Sscan(fmt.Sprint(v), &i)
	return i, err == nil
}

func (r *Resolver) list(v any) ([]string, error) {
	d, err := r.Deep(v)
	if err != nil {
		return nil, err
	}
	l, ok := d.([]any)
	if !ok {
		return nil, fmt.Errorf("samtemplate: not a list: %v", d)
	}
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = fmt.Sprint(e)
	}
	return out, nil
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (r *Resolver) sub(arg any) (any, error) {
	tmpl, vars := "", map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("samtemplate: Fn::Sub needs a string or [string, variables]: %v", arg)
		}
		tmpl = fmt.Sprint(a[0])
		m, _ := a[1].(map[string]any)
		for k, v := range m {
			d, err := r.Deep(v)
			if err != nil {
				return nil, err
			}
			vars[k] = d
		}
	default:
		return nil, fmt.Errorf("samtemplate: Fn::Sub of %v", arg)
	}
	var firstErr error
	out := subVariable.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return fmt.Sprint(v)
		}
		var v any
		var err error
		if res, attr, ok := strings.Cut(name, "."); ok {
			v, err = r.getAtt(res, attr)
		} else {
			v, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return fmt.Sprint(v)
	})
	return out, firstErr
}

func (r *Resolver) ref(name string) (any, error) {
	switch name {
	case "AWS::NoValue":
		return NoValue, nil
	case "AWS::Partition":
		return Partition, nil
	case "AWS::Region":
		return Region, nil
	case "AWS::AccountId":
		return AccountID, nil
	case "AWS::StackName":
		return StackName, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	}
	if p, ok := r.params[name]; ok {
		return p, nil
	}
	res, ok := r.resource(name)
	if !ok {
		return nil, fmt.Errorf("samtemplate: Ref to unknown %q", name)
	}
	switch res {
	case "AWS::SQS::Queue":
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", Region, AccountID, PhysicalID(name)), nil
	case "AWS::SecretsManager::Secret", "AWS::SNS::Topic":
		return r.getAtt(name, "Arn")
	}
	return PhysicalID(name), nil
}

func (r *Resolver) resource(id string) (string, bool) {
	res, _ := r.tpl["Resources"].(map[string]any)
	m, ok := res[id].(map[string]any)
	if !ok {
		return "", false
	}
	return fmt.Sprint(m["Type"]), true
}

// PhysicalID is the stand-in name of resource id.
func PhysicalID(id string) string { return StackName + "-" + id }

// ARN is the stand-in ARN of resource id of the given type.
func ARN(typ, id string) string {
	name := PhysicalID(id)
	switch typ {
	case "AWS::DynamoDB::Table":
		return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", Partition, Region, AccountID, name)
	case "AWS::SQS::Queue":
		return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", Partition, Region, AccountID, name)
	case "AWS::SecretsManager::Secret":
		return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-AbC123", Partition, Region, AccountID, name)
	case "AWS::IAM::Role":
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", Partition, AccountID, name)
	case "AWS::SNS::Topic":
		return fmt.Sprintf("arn:%s:sns:%s:%s:%s", Partition, Region, AccountID, name)
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", Partition, strings.ToLower(typ), Region, AccountID, name)
}

func (r *Resolver) getAtt(id, attr string) (any, error) {
	typ, ok := r.resource(id)
	if !ok {
		return nil, fmt.Errorf("samtemplate: GetAtt of unknown %q", id)
	}
	switch attr {
	case "Arn":
		return ARN(typ, id), nil
	case "QueueName":
		return PhysicalID(id), nil
	}
	return id + "." + attr, nil
}
