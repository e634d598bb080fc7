package testsite

import (
	"fmt"
	"html"
	"strings"
)

// chrome holds the parts of the WordPress-like template that every newsroom
// page repeats, rendered once: the head's styles and scripts, the masthead
// with its navigation, the sidebar, the footer. Real pages of this kind weigh
// 50-150 KB, most of it this chrome.
type chrome struct {
	headAssets string // styles and scripts inside <head>
	masthead   string // cookie banner, top bar, navigation, search
	sidebar    string // most read, latest, topics, calendar, newsletter
	footer     string // footer menus and scripts
}

var navSections = []struct{ slug, label string }{
	{"news", "News"}, {"nation", "Nation"}, {"politics", "Politics"}, {"foreign-policy", "Foreign Policy"},
	{"economy", "Economy"}, {"business", "Business"}, {"energy", "Energy"}, {"transport", "Transport & Logistics"},
	{"regions", "Regions"}, {"opinion", "Opinion"}, {"interviews", "Interviews"}, {"culture", "Culture"},
	{"sports", "Sports"}, {"tech", "Tech"}, {"environment", "Environment"}, {"education", "Education"},
	{"health", "Health"}, {"tourism", "Tourism"}, {"central-asia", "Central Asia"}, {"multimedia", "Multimedia"},
}

// globalStyles imitates the inline CSS WordPress block themes print in
// every page (global-styles-inline-css): presets for colours, gradients,
// font sizes and spacing, and their utility classes.
func globalStyles() string {
	var b strings.Builder
	colors := []string{"black", "cyan-bluish-gray", "white", "pale-pink", "vivid-red", "luminous-vivid-orange",
		"luminous-vivid-amber", "light-green-cyan", "vivid-green-cyan", "pale-cyan-blue", "vivid-cyan-blue",
		"vivid-purple", "primary", "secondary", "tertiary", "accent", "muted", "border", "surface", "overlay",
		"steppe-blue", "sun-gold", "ink", "paper"}
	b.WriteString("<style id=\"global-styles-inline-css\">\n:root{")
	for i, c := range colors {
		fmt.Fprintf(&b, "--wp--preset--color--%s: #%06x;", c, (i*2654435761)&0xffffff)
	}
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "--wp--preset--gradient--g%d: linear-gradient(%ddeg,rgba(%d,%d,%d,1) 0%%,rgb(%d,%d,%d) 100%%);",
			i, i*30, i*20%255, i*45%255, i*70%255, i*90%255, i*15%255, i*33%255)
	}
	sizes := []string{"small", "medium", "large", "x-large", "xx-large", "huge"}
	for i, s := range sizes {
		fmt.Fprintf(&b, "--wp--preset--font-size--%s: %.3frem;", s, 0.8+float64(i)*0.35)
	}
	for i := 20; i <= 80; i += 10 {
		fmt.Fprintf(&b, "--wp--preset--spacing--%d: %.2frem;", i, float64(i)/20)
	}
	b.WriteString("}\n")
	for _, c := range colors {
		fmt.Fprintf(&b, ".has-%[1]s-color{color: var(--wp--preset--color--%[1]s) !important;}\n", c)
		fmt.Fprintf(&b, ".has-%[1]s-background-color{background-color: var(--wp--preset--color--%[1]s) !important;}\n", c)
		fmt.Fprintf(&b, ".has-%[1]s-border-color{border-color: var(--wp--preset--color--%[1]s) !important;}\n", c)
	}
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, ".has-g%[1]d-gradient-background{background: var(--wp--preset--gradient--g%[1]d) !important;}\n", i)
	}
	for _, s := range sizes {
		fmt.Fprintf(&b, ".has-%[1]s-font-size{font-size: var(--wp--preset--font-size--%[1]s) !important;}\n", s)
	}
	parts := []string{"header", "nav", "menu-item", "sub-menu", "widget", "entry", "byline", "share", "related",
		"comment", "footer", "pagination", "thumb", "excerpt", "cookie", "newsletter", "breadcrumbs", "tags",
		"ticker", "masthead", "branding", "search", "social", "top-bar", "sidebar", "most-read", "latest", "tagcloud",
		"calendar", "gallery", "video", "caption", "author-box", "post-nav", "sticky", "ad-slot", "modal", "toast"}
	for i, p := range parts {
		fmt.Fprintf(&b, ".site-%[1]s{margin:0 0 %[2]dpx;padding:%[3]dpx %[2]dpx;font-family:\"PT Serif\",Georgia,serif;line-height:1.%[2]d}\n", p, 4+i%9, 2+i%5)
		fmt.Fprintf(&b, ".site-%[1]s a{color:#1a3d6d;text-decoration:none}.site-%[1]s a:hover{color:#c8102e;text-decoration:underline}\n", p)
		fmt.Fprintf(&b, "@media (max-width:%[2]dpx){.site-%[1]s{padding:%[3]dpx;font-size:.9rem}}\n", p, 480+i*40, i%6)
	}
	b.WriteString("</style>\n")
	return b.String()
}

func headScripts(base string) string {
	return `<link rel="stylesheet" id="wp-block-library-css" href="` + base + `/wp-includes/css/dist/block-library/style.min.css?ver=6.5.2" media="all">
<link rel="stylesheet" id="theme-css" href="` + base + `/wp-content/themes/astana/style.css?ver=3.1.4" media="all">
<script src="` + base + `/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<script src="` + base + `/wp-includes/js/jquery/jquery-migrate.min.js?ver=3.4.1" id="jquery-migrate-js"></script>
<script id="theme-config-js-extra">
var themeConfig = {"ajaxurl":"` + base + `\/wp-admin\/admin-ajax.php","nonce":"4f1c2a9b7e","lazyload":"1","stickyHeader":"1","breakingTicker":{"speed":40,"pause":"1"},"i18n":{"readMore":"Read more","loading":"Loading\u2026","noMore":"No more articles"}};
</script>
<script>
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', 'G-0000TESTS1', {'anonymize_ip': true});
</script>
<script async src="` + base + `/wp-content/plugins/ads/loader.js?ver=2.0"></script>
<script>
var adSlots = [` + adSlots() + `];
</script>
`
}

func adSlots() string {
	var parts []string
	for i := 1; i <= 24; i++ {
		parts = append(parts, fmt.Sprintf(`{"id":"div-gpt-ad-%d","path":"/2204/astana/%s","sizes":[[728,90],[300,250],[320,%d]],"lazy":%t}`,
			1600000000+i*7919, navSections[i%len(navSections)].slug, 50+i, i%2 == 0))
	}
	return strings.Join(parts, ",\n")
}

func newsroomMasthead(base, siteName string) string {
	var b strings.Builder
	b.WriteString(`<div id="cookie-notice" class="site-cookie" role="dialog" aria-label="Cookie Notice">
<div class="cookie-notice-container"><span id="cn-notice-text">We use cookies to ensure that we give you the best experience on our website. If you continue to use this site we will assume that you are happy with it.</span>
<a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button" data-cookie-set="accept">Accept</a>
<a href="` + base + `/privacy-policy/" class="cn-privacy-policy-link">Privacy policy</a></div></div>
<div class="top-bar site-header"><ul class="top-links">
<li><a href="` + base + `/about-us/">About Us</a></li><li><a href="` + base + `/contact/">Contact</a></li>
<li><a href="` + base + `/advertise/">Advertise</a></li><li><a href="` + base + `/newsletter/">Newsletter</a></li>
<li><a href="` + base + `/wp-admin/">Log in</a></li></ul>
<ul class="social-links"><li><a href="https://www.facebook.com/TheAstanaTimes">Facebook</a></li><li><a href="https://twitter.com/TheAstanaTimes">X</a></li>
<li><a href="https://t.me/astanatimes">Telegram</a></li><li><a href="https://www.youtube.com/@astanatimes">YouTube</a></li>
<li><a href="https://www.instagram.com/astanatimes">Instagram</a></li><li><a href="https://www.tiktok.com/@astanatimes">TikTok</a></li></ul></div>
<header id="masthead" class="site-header"><div class="site-branding"><a href="` + base + `/" rel="home"><img src="` + base + `/wp-content/uploads/logo.png" alt="` + html.EscapeString(siteName) + `" width="320" height="60"></a>
<p class="site-description">News from Kazakhstan and Central Asia</p></div>
<form role="search" method="get" class="search-form" action="` + base + `/"><label><span class="screen-reader-text">Search for:</span>
<input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s"></label><input type="submit" class="search-submit" value="Search"></form>
<nav id="site-navigation" class="main-navigation site-nav" aria-label="Primary"><ul id="primary-menu" class="menu">
<li class="menu-item"><a href="` + base + `/">Home</a></li>
`)
	for i, s := range navSections {
		fmt.Fprintf(&b, "<li class=\"menu-item menu-item-type-taxonomy menu-item-object-category menu-item-%d\"><a href=\"%s/category/%s/\">%s</a>\n<ul class=\"sub-menu\">",
			1200+i, base, s.slug, html.EscapeString(s.label))
		for j := 0; j < 3; j++ {
			o := navSections[(i+j+1)%len(navSections)]
			fmt.Fprintf(&b, "<li class=\"menu-item menu-item-%d\"><a href=\"%s/category/%s/\">%s</a></li>", 1300+i*3+j, base, o.slug, html.EscapeString(o.label))
		}
		b.WriteString("</ul></li>\n")
	}
	b.WriteString(`</ul></nav>
<div class="breaking-ticker site-nav"><span class="label">Trending:</span>
<a href="` + base + `/tag/middle-corridor/">Middle Corridor</a> <a href="` + base + `/tag/caspian-pipeline-consortium/">CPC</a>
<a href="` + base + `/tag/baku-tbilisi-ceyhan/">BTC pipeline</a> <a href="` + base + `/tag/agreements/">Agreements signed</a>
<a href="` + base + `/tag/trans-caspian-route/">Trans-Caspian International Transport Route</a></div>
</header>
`)
	return b.String()
}

type sideLink struct{ url, title, date string }

func newsroomSidebar(base string, mostRead, latest []sideLink, calendarPath string) string {
	var b strings.Builder
	b.WriteString("<aside id=\"secondary\" class=\"widget-area site-widget\">\n<section class=\"widget widget-most-read\"><h3 class=\"widget-title\">Most read</h3><ol>\n")
	for _, l := range mostRead {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> <span class=\"date\">%s</span></li>\n", l.url, html.EscapeString(l.title), l.date)
	}
	b.WriteString("</ol></section>\n<section class=\"widget widget-latest\"><h3 class=\"widget-title\">Latest news</h3><ul>\n")
	for _, l := range latest {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> <span class=\"date\">%s</span></li>\n", l.url, html.EscapeString(l.title), l.date)
	}
	b.WriteString(`</ul></section>
<section class="widget widget-topics"><h3 class="widget-title">Topics</h3><div class="tagcloud">
<a href="` + base + `/tag/middle-corridor/" class="tag-cloud-link">Middle Corridor</a>
<a href="` + base + `/tag/trans-caspian-route/" class="tag-cloud-link">Trans-Caspian route</a>
<a href="` + base + `/tag/caspian-pipeline-consortium/" class="tag-cloud-link">Caspian Pipeline Consortium</a>
<a href="` + base + `/tag/baku-tbilisi-ceyhan/" class="tag-cloud-link">Baku-Tbilisi-Ceyhan pipeline</a>
<a href="` + base + `/tag/agreements/" class="tag-cloud-link">Agreements</a>
</div></section>
<section class="widget widget-popular-searches"><h3 class="widget-title">Popular searches</h3><ul>
<li><a href="` + base + `/search/middle+corridor/">middle corridor</a></li>
<li><a href="` + base + `/search/cpc+pipeline/">cpc pipeline</a></li>
<li><a href="` + base + `/search/agreement+signed/">agreement signed</a></li></ul></section>
<section class="widget widget-calendar"><h3 class="widget-title">Archives</h3>
<a href="` + base + calendarPath + `">Browse the archive by month</a></section>
<section class="widget widget-newsletter site-newsletter"><h3 class="widget-title">Newsletter</h3>
<p>Get The Astana Times stories sent directly to you every morning.</p>
<form action="` + base + `/newsletter/" method="post"><input type="email" name="email" placeholder="Your e-mail"><button>Subscribe</button></form></section>
</aside>
`)
	return b.String()
}

func newsroomFooter(base, siteName string) string {
	var b strings.Builder
	b.WriteString("<footer id=\"colophon\" class=\"site-footer\"><div class=\"footer-widgets\">\n")
	for col := 0; col < 4; col++ {
		b.WriteString("<div class=\"footer-column\"><ul>")
		for i := col * 5; i < col*5+5 && i < len(navSections); i++ {
			fmt.Fprintf(&b, "<li><a href=\"%s/category/%s/\">%s</a></li>", base, navSections[i].slug, html.EscapeString(navSections[i].label))
		}
		b.WriteString("</ul></div>\n")
	}
	b.WriteString(`</div>
<div class="site-info"><p>&copy; 2010-2025 ` + html.EscapeString(siteName) + `. All rights reserved. Reproduction of materials is allowed only with a hyperlink to the source.</p>
<p><a href="` + base + `/about-us/">About Us</a> | <a href="` + base + `/contact/">Contact</a> | <a href="` + base + `/privacy-policy/">Privacy Policy</a> | <a href="` + base + `/wp-admin/">Log in</a></p></div>
</footer>
<script src="` + base + `/wp-content/themes/astana/js/navigation.js?ver=3.1.4" id="theme-navigation-js"></script>
<script src="` + base + `/wp-content/plugins/cookie-notice/js/front.min.js?ver=2.4.16" id="cookie-notice-front-js"></script>
<script>
(function(){var d=document,s=d.querySelectorAll('.share a');for(var i=0;i<s.length;i++){s[i].addEventListener('click',function(e){e.preventDefault();window.open(this.href,'share','width=600,height=400');});}
var c=d.getElementById('cn-accept-cookie');if(c){c.addEventListener('click',function(e){e.preventDefault();d.cookie='cookie_notice_accepted=true;path=/;max-age=31536000';d.getElementById('cookie-notice').style.display='none';});}})();
</script>
`)
	return b.String()
}

// shareButtons is the row of share links WordPress plugins print above and
// below a post.
func shareButtons(pageURL, title string) string {
	u := strings.ReplaceAll(pageURL, ":", "%3A")
	t := html.EscapeString(strings.ReplaceAll(title, " ", "+"))
	return `<div class="sharedaddy sd-sharing-enabled share site-share"><h3 class="sd-title">Share this:</h3><ul>
<li><a class="share-facebook" href="https://www.facebook.com/sharer.php?u=` + u + `">Facebook</a></li>
<li><a class="share-twitter" href="https://twitter.com/intent/tweet?url=` + u + `&amp;text=` + t + `">X</a></li>
<li><a class="share-telegram" href="https://t.me/share/url?url=` + u + `">Telegram</a></li>
<li><a class="share-linkedin" href="https://www.linkedin.com/shareArticle?url=` + u + `">LinkedIn</a></li>
<li><a class="share-email" href="mailto:?subject=` + t + `">Email</a></li>
<li><a class="share-print" href="#print">Print</a></li></ul></div>
`
}
