package io.noah.api.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import io.swagger.v3.oas.annotations.Hidden;

import java.net.URI;
import java.util.List;

/**
 * What the servlet container answers by itself (a request rejected before Spring MVC, e.g. a URL the firewall
 * refuses, or an error after the response began) is an RFC 9457 problem with a code too, never Boot's default
 * error JSON.
 */
@RestController
@Hidden
public class ErrorProblemController implements ErrorController {

    private final Problems problems;

    public ErrorProblemController(Problems problems) {
        this.problems = problems;
    }

    @RequestMapping("/error")
    ResponseEntity<ProblemDetail> error(HttpServletRequest req) {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        ProblemDetail p = problems.of(status, ProblemHandler.codeFor(status), null,
                status >= 500 ? "Noah failed unexpectedly; the error is logged" : "the request cannot be served", List.of());
        if (uri instanceof String s) {
            try {
                p.setInstance(URI.create(s));
            } catch (IllegalArgumentException e) {
                // a URI the container refused as malformed: no instance
            }
        }
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(p);
    }
}
