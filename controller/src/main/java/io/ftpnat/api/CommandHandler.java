package io.ftpnat.api;

import java.io.IOException;

/** One command of the API, with the role it needs. */
public interface CommandHandler {
    Role requires();

    void handle(ApiRequest request, ResponseWriter response) throws ApiError, IOException;

    /** What a command does, for {@link #of}. */
    @FunctionalInterface
    interface Body {
        void handle(ApiRequest request, ResponseWriter response) throws ApiError, IOException;
    }

    static CommandHandler of(Role role, Body body) {
        return new CommandHandler() {
            @Override
            public Role requires() {
                return role;
            }

            @Override
            public void handle(ApiRequest request, ResponseWriter response) throws ApiError, IOException {
                body.handle(request, response);
            }
        };
    }
}
