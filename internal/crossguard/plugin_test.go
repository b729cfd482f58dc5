package crossguard

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/dbay/infra/internal/stackfile"
	"github.com/dbay/infra/policy"
)

// TestPluginSpeaksTheAnalyzerProtocol builds ../../policypack, starts it
// as the engine starts an analyzer (it prints its port), and drives it
// over gRPC: handshake, the prod stack's config, the policy list, and a
// stack analysis of an RDS instance without storage encryption, which must
// come back as a mandatory rds-encrypted-cmk violation on that URN (and
// as advisory in a preview).
func TestPluginSpeaksTheAnalyzerProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the policy pack")
	}
	bin := filepath.Join(t.TempDir(), "policypack")
	build := exec.Command("go", "build", "-o", bin, "../../policypack")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./policypack: %v\n%s", err, out)
	}
	st, err := stackfile.Load("../..", "prod", os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	for _, dryRun := range []bool{false, true} {
		cmd := exec.Command(bin)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		port, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatalf("reading the plugin's port: %v", err)
		}
		conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		c := pulumirpc.NewAnalyzerClient(conn)
		dir := "../../policypack"
		if _, err := c.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{EngineAddress: "127.0.0.1:1", RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
			Project: st.Project, Stack: st.Name, Organization: "organization", DryRun: dryRun,
			Config: st.Values, ConfigSecretKeys: st.SecretKeys,
		}); err != nil {
			t.Fatalf("ConfigureStack with Pulumi.prod.yaml: %v", err)
		}
		info, err := c.GetAnalyzerInfo(ctx, &emptypb.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		if info.Name != Name || len(info.Policies) != len(policy.Rules())+1 {
			t.Errorf("analyzer %q with %d policies, want %q with %d", info.Name, len(info.Policies), Name, len(policy.Rules())+1)
		}
		props, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(map[string]any{
			"storageEncrypted": false, "engine": "postgres", "instanceClass": "db.r6g.large",
		}), plugin.MarshalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		urn := "urn:pulumi:prod::dbay::aws:rds/instance:Instance::postgres"
		res, err := c.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{{
			Type: "aws:rds/instance:Instance", Name: "postgres", Urn: urn, Properties: props,
			Provider: &pulumirpc.AnalyzerProviderResource{Type: "pulumi:providers:aws", Urn: "urn:pulumi:prod::dbay::pulumi:providers:aws::default_6", Name: "default_6"},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		want := pulumirpc.EnforcementLevel_MANDATORY
		if dryRun {
			want = pulumirpc.EnforcementLevel_ADVISORY
		}
		found := false
		for _, d := range res.Diagnostics {
			if d.PolicyName == "rds-encrypted-cmk" && d.Urn == urn {
				found = true
				if d.EnforcementLevel != want {
					t.Errorf("dryRun=%v: rds-encrypted-cmk is %v, want %v", dryRun, d.EnforcementLevel, want)
				}
			}
		}
		if !found {
			t.Errorf("dryRun=%v: no rds-encrypted-cmk violation on %s among %d diagnostics", dryRun, urn, len(res.Diagnostics))
		}
		cancel()
		_ = conn.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}
