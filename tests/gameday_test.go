package tests

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// synthesizeDown runs a shipped DR pair as `synth --primary-down` does:
// after a failover, with the primary's Region (and state) unreadable.
func synthesizeDown(t *testing.T, dir, stack string) *synth.Result {
	t.Helper()
	st, err := synth.LoadStack(dir, stack)
	if err != nil {
		t.Fatal(err)
	}
	st.PrimaryDown = true
	r, err := synth.Shared(st)
	if err != nil {
		t.Fatalf("%s/%s --primary-down: %v", dir, stack, err)
	}
	return r
}

// identifierRe finds what a runbook command names: the value of every
// option that takes an identifier, bucket names and ARNs.
var identifierRe = regexp.MustCompile(`--(?:[a-z-]*identifier|[a-z-]*-id|alarm-names|db-subnet-group-name|kms-key-id) '?([^\s']+)|s3://([^\s/']+)|(arn:aws[^\s'"]*)`)

// emptyIDRe is an identifier option with no value (an empty output).
var emptyIDRe = regexp.MustCompile(`--(?:[a-z-]*identifier|[a-z-]*-id|alarm-names|db-subnet-group-name|kms-key-id)(?: +(?:--|&&)| *$)`)

// Game day, offline: DBay's and Dhanam's recovery stacks synthesize as
// after a failover (fleet.standby active, the primary fenced) with the
// primary's state unreadable — only the contract the primary replicated
// into us-west-2 — and every identifier their failover runbook prints is
// one the pair really has (an id or an output of a resource of either
// run), with no empty option.
func TestGameDayPrimaryDown(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{root, dhanamDir} {
		rec := synthesizeDown(t, dir, "dr")
		prim := rec.Partner
		if rec.Config.Fleet.Standby != config.StandbyActive || !prim.Config.Fenced() {
			t.Errorf("%s: standby %s, primary fenced %v: not the state after a failover", dir, rec.Config.Fleet.Standby, prim.Config.Fenced())
		}
		if refs := rec.Engine.ByType(tokens.StackReference); len(refs) > 0 {
			t.Errorf("%s: %d StackReferences in a run whose primary is down", dir, len(refs))
		}
		real := map[string]bool{}
		for _, r := range append(append([]*mockengine.Resource{}, rec.Resources...), prim.Resources...) {
			real[r.ID] = true
			collect(r.Out(), real)
		}
		steps, _ := rec.Outputs["failoverRunbook"].([]any)
		if len(steps) < 5 {
			t.Fatalf("%s: failover runbook has %d steps: %v", dir, len(steps), steps)
		}
		checked := 0
		for _, s := range steps {
			step := s.(string)
			cmd := step[strings.Index(step, "$ ")+2:]
			if c := strings.Index(cmd, "  # "); c >= 0 {
				cmd = cmd[:c]
			}
			if m := emptyIDRe.FindString(cmd); m != "" {
				t.Errorf("%s: an option without its value (%q) in %q", dir, m, step)
			}
			for _, m := range identifierRe.FindAllStringSubmatch(cmd, -1) {
				id := m[1] + m[2] + m[3]
				checked++
				if !real[id] {
					t.Errorf("%s: %q names %s, which no resource of the pair has", dir, firstLine(step), id)
				}
			}
		}
		if checked < 5 {
			t.Errorf("%s: only %d identifiers checked in the failover runbook", dir, checked)
		}
		t.Logf("%s: %d runbook identifiers, all real, with %s's state unreadable", dir, checked, rec.Config.DR.PrimaryStack)
	}
}

// The engine refuses what the game day forbids: with the primary down, a
// StackReference read of its state fails the run, so a recovery stack that
// reintroduced one would fail TestGameDayPrimaryDown; the replicated
// contract alone is enough for ReadContract.
func TestPrimaryDownRefusesAStackReference(t *testing.T) {
	t.Parallel()
	prim := synthesize(t, root, "dr").Partner
	for name, reintroduce := range map[string]bool{"contract only": false, "with a StackReference": true} {
		eng := mockengine.New("dbay", "dr", "us-west-2")
		eng.SetWorld(prim.Resources)
		eng.SetUnreadable("organization/dbay/prod", "its Region is down")
		err := eng.Run(func(ctx *pulumi.Context) error {
			if reintroduce {
				ref, err := pulumi.NewStackReference(ctx, "primary", &pulumi.StackReferenceArgs{Name: pulumi.String("organization/dbay/prod")})
				if err != nil {
					return err
				}
				ctx.Export("x", ref.GetOutput(pulumi.String(stacks.ContractOutput)))
			}
			p, err := aws.NewProvider(ctx, "regional", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
			if err != nil {
				return err
			}
			c, err := stacks.ReadContract(ctx, "dbay", "organization/dbay/prod", "us-west-2", p)
			if err != nil {
				return err
			}
			ctx.Export("postgresArn", c.PostgresArn)
			return nil
		})
		switch {
		case reintroduce && (err == nil || !strings.Contains(err.Error(), `the state of stack "organization/dbay/prod" cannot be read`)):
			t.Errorf("%s: err = %v, want the unreadable state", name, err)
		case !reintroduce && err != nil:
			t.Errorf("%s: %v", name, err)
		}
	}
}

// collect adds every string in v (nested maps and lists) to set.
func collect(v any, set map[string]bool) {
	switch x := v.(type) {
	case string:
		set[x] = true
	case map[string]any:
		for _, y := range x {
			collect(y, set)
		}
	case []any:
		for _, y := range x {
			collect(y, set)
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
