FROM nginx:1.27-alpine
LABEL maintainer="web@example.com"
LABEL com.example.version="1.0.0" \
      com.example.release-date="2024-07-01" \
      Vendor="Example"
COPY nginx.conf /etc/nginx/nginx.conf
COPY site/ /usr/share/nginx/html/
EXPOSE 80 443 8080/tcp
EXPOSE 70000
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=10s CMD wget -qO- http://127.0.0.1/ || exit 1
HEALTHCHECK CMD curl -f http://127.0.0.1/
CMD ["nginx", "-g", "daemon off;"]
CMD nginx -g "daemon off;"
