package io.noah.api.web;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** Spring MVC's own exceptions, the ones Noah's controllers do not throw on purpose too: each a 4xx problem with a code. */
class ProblemHandlerTest {

    @RestController
    static class Probe {
        @GetMapping("/header")
        String header(@RequestHeader("X-Needed") String value) {
            return value;
        }

        @GetMapping("/timeout")
        String timeout() {
            throw new AsyncRequestTimeoutException();
        }

        @GetMapping("/upload")
        String upload() {
            throw new MaxUploadSizeExceededException(1024);
        }

        @GetMapping("/conflict")
        String conflict() {
            throw new ErrorResponseException(HttpStatus.CONFLICT);
        }

        @GetMapping("/gone")
        String gone() {
            throw new ResponseStatusException(HttpStatus.GONE, "it went");
        }

        @GetMapping("/bug")
        String bug() {
            throw new IllegalStateException("a bug");
        }

        /** What the Kubernetes client throws for a name that makes no URL (e.g. a namespace "[þ"). */
        @GetMapping("/bad-name")
        String badName() {
            throw new RuntimeException("An error has occurred.", new java.net.URISyntaxException("https://x/api/v1/namespaces/[þ", "Illegal character"));
        }
    }

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Probe())
            .setControllerAdvice(new ProblemHandler(new Problems(JsonMapper.builder().build()))).build();

    private void expect(String path, int status, String code) throws Exception {
        mvc.perform(get(path)).andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.code").value(code))
                .andExpect(jsonPath("$.type").value("urn:noah:problem:" + code))
                .andExpect(jsonPath("$.instance").value(path));
    }

    @Test
    void springMvcExceptionsGetTheirStatusAndACode() throws Exception {
        expect("/header", 400, "bad-request");
        expect("/timeout", 503, "timeout");
        expect("/upload", 413, "payload-too-large");
        expect("/conflict", 409, "conflict");
        expect("/gone", 410, "bad-request");
        expect("/nowhere", 404, "no-such-endpoint");
    }

    @Test
    void onlyTheUnexpectedIsA500() throws Exception {
        expect("/bug", 500, "internal-error");
        expect("/bad-name", 400, "invalid-name");
    }
}
