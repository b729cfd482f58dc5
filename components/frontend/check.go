package frontend

import (
	"errors"
	"fmt"
	"strings"
)

// check reports every wiring mistake at once, before anything is registered.
func (args *Args) check() error {
	if args == nil {
		return errors.New("frontend: Args are required")
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("frontend: "+format, a...)) }
	if args.Domain == "" || args.Region == "" {
		bad("Args.Domain and Args.Region are required")
	}
	if args.GlobalProvider == nil {
		bad("Args.GlobalProvider (us-east-1) is required: CloudFront's certificate and web ACL live there")
	}
	if len(args.Spec.Aliases) == 0 || args.Spec.WAF.RateLimit == 0 || args.Spec.HealthCheck.Path == "" {
		bad("Args.Spec must be a defaulted, validated config.Frontend")
	}
	if o := args.APIOrigin; o != nil {
		if o.DomainName == nil {
			bad("APIOrigin.DomainName is required")
		}
		if o.OriginPath != "" && (!strings.HasPrefix(o.OriginPath, "/") || strings.HasSuffix(o.OriginPath, "/")) {
			bad("APIOrigin.OriginPath %q must start with / and not end with one", o.OriginPath)
		}
	}
	if o := args.WebSocketOrigin; o != nil {
		if o.DomainName == nil || o.TokenQuery == "" {
			bad("WebSocketOrigin.DomainName and TokenQuery are required")
		}
		if !wsPath.MatchString(o.Path) {
			bad("WebSocketOrigin.Path %q must be one path segment, e.g. /ws", o.Path)
		}
		for _, p := range append(append([]string{}, args.Spec.APIPaths...), args.Spec.HashedPaths...) {
			if strings.HasPrefix(o.Path+"/", strings.TrimSuffix(p, "*")) {
				bad("WebSocketOrigin.Path %q is inside the behaviour %q", o.Path, p)
			}
		}
	}
	if o := args.ALBOrigin; o != nil {
		if o.DomainName == nil {
			bad("ALBOrigin.DomainName is required")
		}
		if o.InternetFacing && o.LoadBalancerArn == nil {
			bad("ALBOrigin.LoadBalancerArn is required for an internet-facing ALB (its REGIONAL web ACL)")
		}
		if len(o.Routes) > 0 && o.ListenerArn == nil {
			bad("ALBOrigin.Routes need ALBOrigin.ListenerArn")
		}
		priorities := map[int]bool{}
		for _, r := range o.Routes {
			if !contains(args.Spec.Aliases, r.Host) {
				bad("ALBOrigin route host %q is not one of the aliases %v", r.Host, args.Spec.Aliases)
			}
			if r.TargetGroupArn == nil {
				bad("ALBOrigin route %q has no TargetGroupArn", r.Host)
			}
			if r.Priority < 1 || r.Priority > 50000 || priorities[r.Priority] {
				bad("ALBOrigin route %q priority %d must be unique and within 1..50000", r.Host, r.Priority)
			}
			priorities[r.Priority] = true
		}
	}
	if d := args.DR; d != nil {
		if d.Region == "" || d.Provider == nil {
			bad("DR.Region and DR.Provider are required")
		}
		if d.Region == args.Region {
			bad("DR.Region %s is the stack's region: the replica must be in another region", d.Region)
		}
	}
	for _, r := range args.Records {
		if args.Domain != "" && !strings.HasSuffix(r.Name, "."+args.Domain) {
			bad("record %q is not below the domain %s", r.Name, args.Domain)
		}
		if contains(args.Spec.Aliases, r.Name) {
			bad("record %q is already an alias of the distribution", r.Name)
		}
		if r.Target == nil || r.ZoneID == nil {
			bad("record %q needs Target and ZoneID", r.Name)
		}
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
