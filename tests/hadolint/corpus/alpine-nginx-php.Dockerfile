FROM php:8.3-fpm-alpine
RUN apk update && apk add nginx supervisor curl
RUN apk add --no-cache --virtual .build-deps autoconf g++ make \
    && pecl install redis-6.0.2 \
    && docker-php-ext-enable redis \
    && apk del .build-deps
RUN docker-php-ext-install pdo_mysql opcache
COPY --from=composer:2.7 /usr/bin/composer /usr/bin/composer
WORKDIR /var/www/html
COPY composer.json composer.lock ./
RUN composer install --no-dev --optimize-autoloader --no-scripts
COPY . .
COPY docker/nginx.conf /etc/nginx/nginx.conf
COPY docker/supervisord.conf /etc/supervisord.conf
RUN chown -R www-data:www-data storage bootstrap/cache
EXPOSE 80
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1
CMD ["/usr/bin/supervisord", "-c", "/etc/supervisord.conf"]
