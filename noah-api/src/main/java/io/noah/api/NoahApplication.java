package io.noah.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Noah server. */
@SpringBootApplication(scanBasePackages = "io.noah")
public class NoahApplication {

    public static void main(String[] args) {
        SpringApplication.run(NoahApplication.class, args);
    }
}
