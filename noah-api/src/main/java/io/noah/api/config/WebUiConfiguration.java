package io.noah.api.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.PathResourceResolver;

import java.io.IOException;
import java.time.Duration;

/**
 * The web pages from the jar ({@code classpath:/static/ui}, built by Vite): hashed bundles under {@code /ui/assets/} are
 * cached for a year (immutable, their names change with their content); everything else is revalidated on each load
 * ({@code no-cache}). A page path without a file extension ({@code /ui/releases/42}) answers the single-page app's
 * {@code index.html} so deep links and reloads work; a missing file with an extension stays a 404.
 */
@Configuration
public class WebUiConfiguration implements WebMvcConfigurer {

    private static final String LOCATION = "classpath:/static/ui/";

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/ui/assets/**").addResourceLocations(LOCATION + "assets/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
        registry.addResourceHandler("/ui/**").addResourceLocations(LOCATION)
                .setCacheControl(CacheControl.noCache())
                .resourceChain(false)
                .addResolver(new PathResourceResolver() {
                    @Override
                    protected Resource getResource(String path, Resource location) throws IOException {
                        Resource found = super.getResource(path, location);
                        if (found != null) {
                            return found;
                        }
                        String last = path.substring(path.lastIndexOf('/') + 1);
                        return last.contains(".") ? null : super.getResource("index.html", location);
                    }
                });
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/ui/");
        registry.addRedirectViewController("/ui", "/ui/");
        // the resource handler answers nothing for an empty path: the app's root is its index.html
        registry.addViewController("/ui/").setViewName("forward:/ui/index.html");
    }
}
