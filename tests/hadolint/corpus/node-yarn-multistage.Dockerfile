FROM node:20-alpine AS deps
WORKDIR /app
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile

FROM node:20-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN yarn build && yarn install --production --ignore-scripts --prefer-offline

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /app
RUN npm install -g pm2
RUN npm install -g serve@14.2.3
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
USER node
EXPOSE 3000
CMD ["pm2-runtime", "dist/server.js"]
