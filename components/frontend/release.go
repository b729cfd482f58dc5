package frontend

import (
	"fmt"
	"io/fs"
	"mime"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Cache-Control per file class. HTML is cached at the edge for the seed's
// hour (s-maxage) but revalidated by browsers, so an invalidation reaches
// users at once; hashed assets never change under their name.
const (
	cacheHashed = "public, max-age=31536000, immutable"
	cacheHTML   = "public, max-age=0, s-maxage=3600, must-revalidate"
	cacheOther  = "public, max-age=3600"
)

// DefaultBuildDir is where the release pipeline finds the SPA build when
// frontend.distDir is unset (seed §7: npm run build in frontend/).
const DefaultBuildDir = "frontend/dist"

// contentTypes are the types of a Vite build's files; others fall back to
// the system's MIME table, then application/octet-stream.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".json": "application/json", ".map": "application/json",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
	".woff": "font/woff", ".woff2": "font/woff2", ".webmanifest": "application/manifest+json", ".xml": "application/xml",
	".wasm": "application/wasm",
}

// release uploads frontend.distDir when set (after the bucket's encryption
// is in place), and always outputs the pipeline's sync and invalidation
// commands, which set the same Cache-Control per file class.
func (f *Frontend) release(ctx *pulumi.Context, args *Args, site *s3.BucketV2, sse pulumi.Resource, distID pulumi.StringOutput) error {
	dir := args.Spec.DistDir
	if dir == "" {
		dir = DefaultBuildDir
	}
	f.SyncCommands = site.Bucket.ApplyT(func(bucket string) []string {
		return syncCommands(dir, bucket, args.Spec.HashedPaths)
	}).(pulumi.StringArrayOutput)
	f.InvalidateCommand = pulumi.Sprintf(`aws cloudfront create-invalidation --distribution-id %s --paths "/*"`, distID)
	if args.Spec.DistDir == "" {
		return nil
	}

	files, err := listFiles(args.Spec.DistDir)
	if err != nil {
		return fmt.Errorf("frontend: reading frontend.distDir: %w", err)
	}
	for _, key := range files {
		if _, err := s3.NewBucketObjectv2(ctx, "dist/"+key, &s3.BucketObjectv2Args{
			Bucket:       site.ID(),
			Key:          pulumi.String(key),
			Source:       pulumi.NewFileAsset(filepath.Join(args.Spec.DistDir, filepath.FromSlash(key))),
			ContentType:  pulumi.String(contentType(key)),
			CacheControl: pulumi.String(cacheControl(key, args.Spec.HashedPaths)),
		}, pulumi.Parent(f), pulumi.DependsOn([]pulumi.Resource{sse})); err != nil {
			return err
		}
	}
	return nil
}

// syncCommands upload hashed assets first, then other files, then HTML, so
// a page never references an asset that is not there yet. Nothing is
// deleted: clients holding the previous index.html still find its assets.
func syncCommands(dir, bucket string, hashedPaths []string) []string {
	dest := "s3://" + bucket + "/"
	var hashed, excludeHashed []string
	for _, p := range hashedPaths {
		pattern := strings.TrimPrefix(p, "/")
		hashed = append(hashed, fmt.Sprintf("--include %q", pattern))
		excludeHashed = append(excludeHashed, fmt.Sprintf("--exclude %q", pattern))
	}
	ex := strings.Join(excludeHashed, " ")
	return []string{
		fmt.Sprintf(`aws s3 sync %s %s --exclude "*" %s --cache-control %q`, dir, dest, strings.Join(hashed, " "), cacheHashed),
		fmt.Sprintf(`aws s3 sync %s %s %s --exclude "*.html" --cache-control %q`, dir, dest, ex, cacheOther),
		fmt.Sprintf(`aws s3 sync %s %s --exclude "*" --include "*.html" %s --cache-control %q`, dir, dest, ex, cacheHTML),
	}
}

// listFiles returns the slash-separated keys of every regular file in dir, sorted.
func listFiles(dir string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		keys = append(keys, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(keys)
	return keys, err
}

func contentType(key string) string {
	ext := strings.ToLower(path.Ext(key))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// cacheControl classes a key: under a hashed path, HTML, or anything else.
func cacheControl(key string, hashedPaths []string) string {
	for _, p := range hashedPaths {
		if strings.HasPrefix("/"+key, strings.TrimSuffix(p, "*")) {
			return cacheHashed
		}
	}
	if strings.HasSuffix(strings.ToLower(key), ".html") {
		return cacheHTML
	}
	return cacheOther
}

// listenerRules forward each route's host to its target group only when the
// request carries the origin secret, so the ALB cannot be used around
// CloudFront (the listener's default action should be a fixed 403).
func (f *Frontend) listenerRules(ctx *pulumi.Context, alb *ALBOrigin, secret pulumi.StringOutput) error {
	for _, r := range alb.Routes {
		if _, err := lb.NewListenerRule(ctx, "alb-"+r.Host, &lb.ListenerRuleArgs{
			ListenerArn: alb.ListenerArn,
			Priority:    pulumi.Int(r.Priority),
			Conditions: lb.ListenerRuleConditionArray{
				lb.ListenerRuleConditionArgs{HostHeader: &lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.ToStringArray([]string{r.Host})}},
				lb.ListenerRuleConditionArgs{HttpHeader: &lb.ListenerRuleConditionHttpHeaderArgs{
					HttpHeaderName: pulumi.String(OriginVerifyHeader), Values: pulumi.StringArray{secret},
				}},
			},
			Actions: lb.ListenerRuleActionArray{lb.ListenerRuleActionArgs{
				Type: pulumi.String("forward"), TargetGroupArn: r.TargetGroupArn,
			}},
		}, pulumi.Parent(f)); err != nil {
			return err
		}
	}
	return nil
}
