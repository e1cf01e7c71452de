FROM alpine
RUN apk update && apk add curl bash
RUN apk add --no-cache git=2.45.2-r0
COPY entrypoint.sh /entrypoint.sh
RUN chmod +x /entrypoint.sh
ENTRYPOINT ["/entrypoint.sh"]
