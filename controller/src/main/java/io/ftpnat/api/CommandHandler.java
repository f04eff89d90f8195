package io.ftpnat.api;

import java.io.IOException;

/** One command of the API, with the role it needs. */
public interface CommandHandler {
    Role requires();

    void handle(ApiRequest request, ResponseWriter response) throws ApiError, IOException;
}
